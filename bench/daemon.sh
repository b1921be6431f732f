#!/usr/bin/env bash
# The whole daemon, lvsd side by side with keepalived on the same config, in the VM (ip_vs):
#   npx tsc -p . && node scripts/bundle.mjs && node test/kernel/vm/run.mjs --timeout=3000 -- bash bench/daemon.sh
# lvsd runs as installed: the bin, dist/bundle/lvsd.cjs.
# 1. Idle: 10 VRRP instances (one interface, no peer: all MASTER, adverts every second) and
#    1,000 real servers with TCP_CHECK, delay_loop 6 (10 virtual servers of 100), all answered
#    by one small server. After WARM s, CPU seconds per 60 s and RSS over SECS s, summed over
#    every process of the daemon (keepalived: parent, VRRP and checker children).
# 2. Reload: 10,000 real servers (100 virtual servers of 100, delay_loop 60), then the weight of
#    1% of them (every 100th) changes and the daemon gets SIGHUP. Reload time = from the signal
#    until the kernel lists the last changed weight: one node process in the daemons' namespace
#    (sighup_poll) sends the signal and dumps the last service's destinations over netlink every
#    POLL_MS (5) ms, same for both daemons (from session 6 on; before, `ipvsadm -L -n -t` every
#    20 ms: see session 6 below). For lvsd also its own `reload.applied`: ms per phase and, from
#    session 6, `at` (ms from the signal to the end of each step) set against the poller's clock:
#    kill->loop, loop->sent (the last IPVS datagram sent), sent->acked, sent->visible. VIP
#    deletions during the reload are counted from `ip monitor address`.
# Daemons alternate (lvsd, keepalived, lvsd, ...) for ROUNDS rounds so host load hits both.
# Variables go through env (run.mjs passes none): ... -- env PHASES=reload ROUNDS=1 bash bench/daemon.sh
# The fill time ("real servers in IPVS after") ends 3 stable 1-s polls of `ipvsadm -L -n` after the
# last server landed (each poll lists 10,000 lines: ~1.5 s under TCG), for both daemons alike.
# HOST=1 runs only lvsd's reload on this machine (no ip_vs: its IPVS attempt fails at once).
#
# 2026-11-27, session 14: the plain path (HUP_AFTER_WRITE=1); H1 parse-side deopts and allocation, H2 apply side.
#  H1: debc00f arrays the parse meets empty made in V8's general elements kind from birth (a []
#   literal's site learned the kind after some loads: BlockCacheBuilder.srcIndex 'wrong map' at the
#   first SIGHUP in 5 of 7 host runs -> 0 of 11); cb7a07a one shape for every load's options (the
#   VM's one remaining deopt at the first SIGHUP was parseConfig 'wrong map' at its entry);
#   642c405, 53af0bf, 7f987b4 less per-VS work and allocation (2110 -> 2003 KB a reload). Host
#   warm parse/checks unchanged (1.46 / 0.45 ms); first SIGHUP total 3.20 -> 3.00 ms.
#  H2: 7c8ae87 identity walk over 10,000 servers as Object.is in a function of its own (walk
#   0.29 -> 0.04 ms), 3216edf fewer key strings in reconcile and the cache, 27cb488 one IPVS
#   watchdog timer for the client's life, d75613e/80fc1db/8808713 executeOps, logApply (countOps),
#   runOps, confirm: their loops had been compiled on-stack by the start-up apply (10,000 adds) and
#   deoptimised after the loop at nearly every later apply (host: 35 of 40 reloads; VM trace:
#   logApply 11 of 12). Host lvs step 1.336 -> 1.187 ms.
#  VM, quiet host (load 0.0-0.6, no helper at work), ROUNDS=4 RELOADS=3, before = b7b0e70
#  (session 13's end) in the same rounds, signal -> visible (ms):
#    before 95 126 78 92 110 60 94 85 75 261 98 75 (median 93, 9 of 12 under 100)
#    now    101 241 94 82 79 81 79 89 83 92 56 121 (median 86, 9 of 12 under 100)
#    step medians before -> now: start 1.5 -> 1.9, read 10.2 -> 8.4, parse 30.6 -> 20.9, checks
#    10.6 -> 10.6, diff 1.9 -> 1.5, vrrp 0.9 -> 0.9, lvs 24.7 -> 27.4, -> sent 5.4 -> 5.9.
#  The 241 and 261 are one SIGHUP each where every step ran 2-3x slower (VM stalls: the same on
#  both trees). Earlier the same day, with two helpers loading the host (load 2-3), the same
#  comparison read 87 vs 96 and 115 vs 128 (medians): under load the VM's noise is larger than
#  the difference. A VM --trace-gc run (RELOADS=5) showed no GC between signal and applied; a
#  --cpu-prof of the reload windows is flat (no function above ~10% of a window).
#  Same code, quiet host, after the A/B: prepared path (SAVE_GAP 1.5, ROUNDS=2 RELOADS=3) 41 26 30
#  35 27 32 ms (median 31; session 13: 39.5). Idle (PHASES=idle ROUNDS=2 WARM=30 SECS=30, with
#  keepalived in the same rounds; last measured in session 8): lvsd 8.26 / 8.38 CPU-s per 60 s,
#  74.1 / 74.3 MB (1 process); keepalived 11.96 / 11.54, 17.8 / 16.9 MB (3 processes): 0.70x.
#
# 2026-11-27, session 13: the plain path (HUP_AFTER_WRITE=1) again; lead read step and deopts, H1 parse/checks, H2 apply.
#  Lead: 050d77a/da37acc the changed file is read once into lvsd's own memory (addon lvsd_text) and
#   parsed as an external latin1 string over it: no decode copy into fresh memory (VM ~9 ms), no
#   second isAscii pass; the next read's memory is written ahead. VM, compare + read + decode, warm,
#   4 alternating processes, host load ~3: median 15.6-37.6 -> 8.6-11.5 ms (host 1.5 -> 0.3).
#   36efd33/c803f0c/0c224b6 grammar/shape-keeper.ts: --trace-deopt in the VM showed the reader's,
#   the block cache builder's, the checks' and the IPVS encoders' optimised code thrown away at the
#   first major GC after each load ("weak objects": every object of those shapes had died, and with
#   them their maps), so every SIGHUP after the first parsed unoptimised (ROUNDS=1 RELOADS=3:
#   parse 24 / 137 / 203 ms). The last object of each such shape is now kept: same run after it,
#   4 SIGHUPs 126 113 130 117 ms, parse 41-58 for all, no deopt between signal and applied.
#  H1 (host, before = aaf689f): parse 1.86 -> 1.32 ms warm, checks 0.61 -> 0.38; cold first SIGHUP
#   parse 6.9 -> 1.7; H2: vrrp step skipped when nothing outside the virtual servers changed (VM
#   1.0-1.9 -> 0.1-0.3 ms), lvs step 1.61 -> 1.50 ms on the host (not visible in the VM's noise).
#  A/B, ROUNDS=3-4 RELOADS=3, before = aaf689f (session 12's end) in the same rounds, signal ->
#  visible (ms):
#   boot A (load 1.5-2.8): before 187 202 225 98 161 158 102 101 219 (median 161)
#                          now    223 261 179 107 124 113 84 94 73 (median 113)
#   boot B (load 0.3-1.1): before 110 163 198 172 304 212 180 85 289 180 269 258 (median 189)
#                          now    118 230 149 171 121 130 135 147 118 145 113 87 (median 132.5)
#   Boot B's steps (medians): start 2.6, read 15.7, parse 40.7, checks 12.8, diff 4.1, vrrp 1.4,
#   lvs 34.8, -> sent 6.8.
#   Then 71ebab1 (each stat/access asked once per SIGHUP), ROUNDS=3 RELOADS=3:
#   boot C (load 1.2-1.6): before 93 204 178 131 112 160 191 95 168 (median 160)
#                          now    94 90 74 80 146 71 87 102 109 (median 90; 6 of 9 under 100)
#   step medians before -> now: start 2.8 -> 1.4, read 13.8 -> 8.0, parse 64.7 -> 24.9, checks
#   17.4 -> 9.3, diff 1.5 -> 1.9, vrrp 1.9 -> 1.0, lvs 24.9 -> 19.1, -> sent 3.6 -> 5.2.
#   Over the three boots 10 of 30 SIGHUPs under 100 ms; later SIGHUPs no longer slower than the first.
#  Prepared path (SAVE_GAP 1.5, ROUNDS=2 RELOADS=3): 42 39 36 40 87 36 ms (median 39.5).
#
# 2026-11-27, session 12: the plain path (HUP_AFTER_WRITE=1) with a C poller; H1 config side, H2 apply side.
#  Poller (lead, b4c46a4): sighup_poll's node poller cost ~13 ms of guest CPU per dump (37-40 ms in
#   loaded boots) and paused 5 ms, so it held most of a vCPU beside the daemon and saw a change
#   ~15 ms after it landed on average. bench/ipvs-poll.c dumps the service in ~0.75 ms every 2 ms;
#   sent -> visible is now 2-4 ms (was 5-53). Rows before this session used the node poller.
#  H1: lines through the reader per 1% reload 1,403 -> 813 (7cf5ff4: a virtual_server's lines before
#   its first real_server replayed from a copy of what the same bytes gave; runs of unchanged real
#   servers found without reading their first line; 6d24f4d: a whole unchanged vrrp_instance
#   replayed), 73a49c3 no scan of the used-records array to its end per run, 58faf06 the latin1
#   decode through an external string (VM: ~1 ms less on average, less spread). Host A/B (21 runs):
#   parse 3.1 -> 2.2 ms (first SIGHUP), 4.2 -> 3.7 (second).
#  H2: f2a9b73 a change the watch reports during the reload is prepared after it (its 50 ms timer
#   fell due mid-reload and read the 1 MB file between the IPVS requests and their acks: sent ->
#   acked 48.5 -> 5.4 ms median); 28fceed the ipvs.apply summary logged after 'applied'; d35b251
#   the engine's reload tries every virtual server in place against the one at the same position
#   first (no key strings, no map); b8d79f1 the IPVS send scheduled without an AsyncResource;
#   83598eb one hidden class for policy rows (a second SIGHUP's desired() met the first's patched
#   rows). H2's VM A/B (8 SIGHUPs each, host load 2.4-6.5): vrrp -> applied 140.7 -> 55.8 ms.
#  Lead, quiet host (load 1.3-1.6), three boots, ROUNDS=2 RELOADS=2, before = 940e563 (session 11's
#  end) in the same rounds, C poller for both, signal -> visible (ms):
#    before: first SIGHUP 155 148 148 147 156 141 (median 148), second 204 173 229 229 219 204 (211)
#    now:    first SIGHUP 168 109  99 133 127 173 (median 130), second 207 104  99 228 134 219 (170)
#   step medians, first SIGHUP, before -> now: read 17.9 -> 15.8, parse 58.4 -> 45.2, checks 9.1 ->
#   14.0, lvs 38.0 -> 23.9, lvs -> sent 10.9 -> 4.2; second SIGHUP parse 141 -> 85. The checks step
#   is higher and wider now in the VM (8.9-60.7 vs 8.1-16.9; no GC in it under --trace-gc; on the
#   host 0.9 -> 1.1 ms and no difference in a 30-reload loop): not explained yet. 2 of 12 SIGHUPs
#   under 100 ms; the plain path is still over the goal.
#   With keepalived in the same boot (ROUNDS=1 RELOADS=2, load 1.5): lvsd 180 / 155 ms, keepalived
#   6,715 / 7,539 ms (0.027x / 0.021x), no VIP deleted.
#  Prepared path (the file saved SAVE_GAP s before the signal; the gap was the node poller's start
#   by accident before), quiet host, signal -> visible ms: SAVE_GAP 1.5 (3 rounds x 2): 50 40 74 34
#   45 23 (session 9, node poller: 45-113); sweep, one boot, 3 SIGHUPs each: 0.15 s 41 39 353, 0.3 s
#   41 55 76, 0.6 s 41 34 38, 1.0 s 97 29 46. The 353: the signal waited 268 ms for the full GC the
#   daemon runs after a preparation (~250 ms under TCG).
#
# 2026-11-27, session 11 (H1 config side, H2 apply side): the plain path (HUP_AFTER_WRITE=1) again.
#  Host load was 4-8 for most of it (two helpers' VMs and tests on 2 cores): the bench's A/B rows
#  are noise; the standalone harnesses (many alternating samples per boot) are what counts.
#  H1: 32820a5 each input read once per SIGHUP (observed-fs readOnce: the changed file's bytes from
#   the first comparison go to the second and to the load, no copy; the plain path read the 1 MB
#   file three times); 9dcecf2 a reload adds one block-cache segment per changed block, not three
#   (the next reload walked them all); fd15dd7 the virtual-server signature without JSON.stringify
#   per field (4-18 ms in VM profiles). Standalone (.cache/h1s11/plain.mjs: the daemon's state after
#   its rehearsal, then a 1% change; 8 alternating pairs per boot, medians, ms):
#     boot 1 (load 4.2-4.8): read 63 -> 42, parse 148 -> 170, checks 24 -> 24, total 265 -> 247,
#                            second SIGHUP total 398 -> 304
#     boot 2 (load 5.3-2.4): read 40 -> 21, parse 71 -> 78, checks 14 -> 15, total 135 -> 132,
#                            second SIGHUP total 136 -> 170
#   Only the read step moves reliably (halved). Work left per SIGHUP: ~1,700 lines through the
#   JavaScript reader (600 virtual-server headers, 600 changed real-server lines, 200 run starts,
#   100 VRRP lines) at 50-100 us a line under TCG; no per-byte or per-line pass over the unchanged
#   file is left (comparison, isAscii, latin1 decode, kept blocks' compares are native). A latin1
#   decode of a file just under 1,031,913 bytes lands in a heap string (4-31 ms in the VM), above it
#   Node's external-string path (3.8-6.9 ms): not A/B'd yet.
#   bench rows (signal -> visible (read), rounds 1 / 2), before = HEAD less H1's commits:
#     b3 (load 2.4-5.0): before 333 (60) / 228 (55), lvsd 177 (26) / 257 (31)
#     b4 (load 1.3-3.2): before 212 (46) / 189 (41), lvsd 204 (23) / 416 (42)
#  H2: fefdbbb + 920fbe0 the start-up rehearsal runs one engine reload without prepared
#   comparisons (as a plain SIGHUP goes) and LvsEngine.rehearsePlans plans (never applies) reloads
#   of deep copies of the running model with 1 real server in 100 at another weight, the
#   comparisons also with the sides swapped (a SIGHUP's objects are the parser's: other hidden
#   classes); plans dropped, nothing applied or logged. Before it the first plain SIGHUP's lvs step
#   was 79 ms (quiet boot, load 0.5; the second 88 -> sent 3 ms later) and build/planInPlace
#   deoptimised in it (a by-value comparison of nested settings that never ran before). Host
#   --trace-deopt after: none of the lvs step's functions deoptimise in two daemons x two SIGHUPs.
#   Engine harness (.cache/h2s11/eng.mjs: engine + the real IPVS edge, first changed reload 4 s
#   after the rehearsal, 5 pairs, load 1.3-2.4), last request sent, ms from the reload's start:
#   old rehearsal 87 105 81 81 83 (median 83), new 67 34 78 75 48 (67); lvs part alone 71 -> 55;
#   second reload 44 40 59 38 50 -> 36 46 35 38 48. No rehearsal at all: lvs step 204-312.
#   Idle (one round, load 0.9-1.8): 10.28 -> 10.82 CPU-s per 60 s, 81.2 -> 80.9 MB (noise).
#   Seen, not acted on: second SIGHUPs met 3 scavenges each (6-60 ms) under --trace-gc, first ones
#   none (the young generation shrinks while idle); kill -> loop 1-342 ms in loaded boots.
#  Lead, quiet host (load 0.0-1.9), the whole session's code (9a40251) against its start (030ec82,
#   lvsd-before), ONLY="lvsd-before lvsd" HUP_AFTER_WRITE=1 RELOADS=2, two boots (ROUNDS=2, 3):
#   first SIGHUP signal -> visible: before 231 225 | 198 225 224 (median 225), lvsd 260 215 | 179
#   225 209 (215); read: before 28 35 | 22 27 26 (27), lvsd 20 45 | 19 19 19 (19); lvs (- vrrp):
#   before 56 38 | 66 63 101, lvsd 36 56 | 44 92 52; parse (- read): before 102 86 | 53 73 61,
#   lvsd 171 66 | 80 54 59. Second SIGHUP: before 221 197 | 229 239 292, lvsd 238 319 | 274 384 185.
#   Only the read step moves beyond the noise (-8 ms); the first SIGHUP ~10 ms lower at the median.
#   Same machine, one more boot (load 1.0-1.9), ONLY="lvsd keepalived" ROUNDS=1 RELOADS=2, plain
#   path: lvsd 212 / 305 ms, keepalived 7,072 / 7,218 ms (0.030x / 0.042x); no VIP deleted.
#  The second SIGHUP's scavenges (H2's --trace-gc: 3 per second SIGHUP, none in the first; V8
#   shrinks the young generation while idle): bin/lvsd now gives the daemon the -t's floor,
#   --min-semi-space-size=16, and this bench runs lvsd with it (LVSD_NODE_ARGS overrides). A/B of
#   the flag on the same code (lvsd-before without it), plain path, signal -> visible, first /
#   second SIGHUP, quiet host (load 0.8-1.7): boot 1 (ROUNDS=2) before 165 / 361, 334 / 308, flag
#   192 / 200, 175 / 209; boot 2 (ROUNDS=1, with idle) before 286 / 417, flag 222 / 216; second
#   SIGHUP's parse step before 240 196 273, flag 125 138 124. Idle (boot 2, SECS=20, one sample):
#   before 7.41 CPU-s per 60 s, 81.5 MB; flag 8.49, 70.7 MB.
#  Not reached: < 100 ms on the plain path; it stays 175-384 ms signal -> visible in the VM.
#
# 2026-11-27, session 10 (H1): the plain path's first changed load, warmed on the running file.
#  VM run of test/kernel/daemon.test.ts with the final code: passed.
#  Where it went (standalone in the VM, .cache/h1s10/ab.mjs: the 10,000-server file loaded, then
#   big2 loaded with reuse + checks + VRRP diff, as a plain SIGHUP does; one process per sample):
#   cold code. Boot 1 (host load 0.7-2.1), parse (- read) of the first changed load, 3 samples:
#   no rehearsal 169 324 407 ms; V8 flags alone no better: --always-sparkplug 312 297 575,
#   --maglev 233 340 282, --no-lazy-feedback-allocation 268 317 337 (dropped); after loads of the
#   same file with other 1% weight edits: 2 of them 112 83 113, 5 of them 60 58 90 (with
#   --always-sparkplug 60 49 46, --maglev 76 72 79). Boot 2 (host load 4.9-6.6: another helper's
#   runs; every figure ~2x), 4 samples, U2 = the rehearsals the daemon ran (2x the unchanged file +
#   the small made-up changed config): U2 2206 317 682 287; U2 + 3 weight-edited loads 98 215 238
#   143; U2 + 3 re-spaced ones 175 241 354 192. Host: U2 parse 12.6 ms, + 3 edited 2.4 ms.
#  c75b401: the start-up rehearsal loads the running model's own main file (its bytes as that load
#   read them) with 1% of its real_server lines re-spaced, handed to the reader in memory for that
#   path (observed-fs withFileBytes: nothing written, no watch fires), with reuse, checked, diffed,
#   dropped (ConfigHolder.rehearseChange), up to 3 times per rehearsal within 4 s, the event loop
#   free between loads. --trace-opt/--trace-deopt of the daemon on the host (HOST=1, .cache/h1s10/
#   hostlogs): findAt, reuseAt, addRun, nextSourceLine, pushRange, segOf, fastLine, closeTop
#   optimised before the first SIGHUP, no parse function deoptimised in it (the engine's
#   planInPlace once: "insufficient type feedback", the lvs step).
#  VM, A/B in the same boots, lvsd-before = 8172774 (.cache/h1s10/before), lvsd = c75b401
#   (.cache/h1s10/after), HUP_AFTER_WRITE=1 RELOADS=2, per SIGHUP: signal -> visible | parse (- read):
#   b2 (ROUNDS=3, host load 1.0-2.2):
#    before 544 / 520 | 320 / 350 | 436 / 250   parse 366 / 338 | 176 / 216 | 171 / 149
#    lvsd   296 / 292 | 229 / 339 | 208 / 342   parse  80 / 101 |  66 / 186 |  55 / 167
#    first SIGHUP signal -> sent: before 501 287 413, lvsd 263 209 176; its other steps (lvsd):
#    read 24-36, checks (- model) 9-23, lvs (- vrrp) 69-105 (before 52-104).
#   d1 (ROUNDS=3, host load 1.3-2.2):
#    before 287 / 197 | 414 / 211 | 428 / 409   parse 158 / 120 | 145 / 102 | 255 / 226
#    lvsd   280 / 607 | 402 / 415 | 260 / 354   parse  90 / 363 | 115 / 282 |  95 / 207
#   First SIGHUPs of b2 + d1: parse before 145-366 (median 174), lvsd 55-115 (85); signal ->
#   visible before 287-544 (421), lvsd 208-402 (270). Second SIGHUPs (the previous cache one a
#   reload made): parse before 102-338 (183), lvsd 101-363 (197), signal -> visible before
#   197-520 (300), lvsd 292-607 (348): no gain there, maybe a loss (code optimised on the
#   rehearsal's shapes meeting a reload-made cache; not traced in the VM).
#   ab1, b1 (ROUNDS=2 and 3, host load 3-6: another helper's tsc/vitest/VM, and this helper's
#    own tests in b1; sent -> visible up to 3 s): first SIGHUP parse before 452 317 | 571 656 686,
#    lvsd 85 365 | 1611 556 140 ms: the noise of a loaded host is larger than the change.
#  Tried and dropped: after each edited load, a second one (other lines) on the blocks it kept,
#   as a second SIGHUP's (af8fee8, reverted): one boot c1 (host load 1.3-2.0): first SIGHUP parse
#   before 340 164 232, lvsd 151 170 154; second 329 157 140 vs 168 187 155: no gain for the
#   second, the first not as low as b2.
#  Not reached: < 100 ms. After the parse, the plain path's first SIGHUP still has read (24-64),
#   checks (7-23), the lvs step without a prepared engine plan (28-131) and sent -> visible: its
#   signal -> visible 208-402 ms in the quieter boots. The second SIGHUP of a daemon (its previous
#   cache made by a reload, not a whole parse) does not gain (above). Not measured: idle CPU/RSS
#   (the edited loads run only in the two start-up rehearsals, their garbage taken by the full GC
#   that ends each) and `lvsd -t` (its bundle has no daemon code).
#
# 2026-11-27, session 9 (lead): lvsd runs with -G here (no syslog), as keepalived always did in this
#  bench. fdb1d0a: the SIGHUP's re-read reads and compares a file in one call each up to 4 MB (was
#  64 KB at a time). a926f1a: the start-up rehearsal runs the SIGHUP path itself (Daemon.reload,
#  unlogged) on a prepared load of the inputs the running model came from, so the first SIGHUP meets
#  warm code (a CPU profile of a first SIGHUP had ~40 ms in the SIGHUP handler, Daemon.reload and
#  the re-read before any comparison ran: code running for the first time).
#  VM, prepared path, quiet host (load 0.1-1.2, nothing else running), one boot per row set:
#                          signal -> visible in the kernel (ms)   lvsd signal -> sent (kill->loop + loop->sent)
#   df8da6a (H1's code)    lvsd 97 / 45 | 113 / 97                 80 / 38 | 110 / 88
#                          keepalived 9,620 / 7,027 | 7,744 / 7,441
#   fdb1d0a (re-read)      lvsd 95 / 56 | 104 / 52                 78 / 48 | 88 / 41   (read step, 2nd SIGHUP: 14-15 -> 5-6 ms)
#                          keepalived 6,778 / 6,911 | 7,729 / 7,150
#   a926f1a (the rehearsal runs the SIGHUP path), ONLY=lvsd ROUNDS=3:
#                          lvsd 68 / 110 | 91 / 58 | 84 / 57       59 / 53 | 62 / 42 | 77 / 44
#   (the 110: sent -> visible 57 ms, the poller's: acked 3 ms after sent). First SIGHUP's start step
#   2.8-6.4 ms (before 5-18.6), read step 7.9-19.6 (before 16-22). Ratio to keepalived in the same
#   boots that ran keepalived: 0.006-0.016.
#  Left: signal -> visible is 45-113 ms, over 100 in 3 of 14 SIGHUPs of these boots (1 of 6 with the
#   final code, the poller's); signal -> sent 38-110, with the final code 42-77. The lvs step
#   (19-36 ms: the engine's in-place updates of 100 real servers and their requests) and the first
#   SIGHUP's read (8-20 ms: read(2) of 1 MB under TCG) remain. The plain path (HUP_AFTER_WRITE=1)
#   is unchanged (see H1 below).
#
# 2026-11-27, session 9 (H1): the prepared reload's scavenges and VRRP step off the SIGHUP's path.
#  Signal -> sent = kill->loop + loop->sent (the poller's clock and reload.applied's `at`).
#  Baseline (VM, 6883ce8 + bundle = .cache/h1s9/before; ROUNDS=2 RELOADS=2, host load 1.0-2.6):
#   prepared path (default) 108 / 57 | 223 / 91 ms (kill->loop 24 2 90 2; e.g. the 1st: start 22.2,
#   read 30.8, vrrp 51.9, lvs 80.7, sent 84.3); plain path (HUP_AFTER_WRITE=1) 508 / 265 | 346 ms
#   (read 16-64, parse - read 180-290, checks 15-24, lvs 25-74).
#  CPU profile + --trace-gc of the prepared SIGHUPs (VM, .cache/h1s9/prof, the baseline code): of
#   ~110 ms from the signal to the ack, 2 scavenges of 21-28 ms (allocation failure: the daemon's
#   idle work, probes and metrics, fills the young generation in ~1.5 s, and the file is saved
#   1-2 s before the signal, so nearly every reload met one, often two); VrrpRuntime.applyDiff
#   rebuilding its plan (planFromModel, instanceSpec, notifyOf of 10 instances) 13-26 ms with
#   nothing VRRP changed; the watch set again to the same folders 6 ms; the 1 MB re-read ~12 ms,
#   nearly all in read(2) (the compare was already a native one on a reused 64 KB buffer, no decode).
#  Changes: c9b12f3 VrrpRuntime.applyDiff returns at once on diff.empty (the daemon's VRRP diff
#   covers every section but virtual_server: the running plan is then the new one by value); the
#   daemon sets the watch after the apply, and not at all for inputs it already follows (a
#   prepared reload's); YoungRoom (src/daemon/young-room.ts): for 60 s after a good prepare, every
#   100 ms, a scavenge (full-gc.ts minorGc: gc({type:'minor'})) once the young generation is past
#   30% full, so that the SIGHUP finds it nearly empty. 9d72264 (the plain path's first step): a
#   reload whose inputs are all, byte for byte, those of the running model's load takes that load
#   (same model, an empty diff, its diagnostics), nothing decoded or parsed (a same-length edit is
#   loaded: test/unit/daemon/reload.test.ts); this bench's plain path changes the file: not
#   measured here.
#  VM, prepared path, lvsd-before = .cache/h1s9/before, lvsd = the final code (.cache/h1s9/after1):
#   ab1 (same boot, --trace-gc, host load 2.9-3.6; the 2nd SIGHUP of round 1 hit another VM's
#    burst, both daemons): before 90 / 656 | 76 / 189, lvsd 76 / 739 | 42 / 84 ms
#   ab2 (same boot, ROUNDS=3, host load 1.5-2.8): before 135 / 112 | 219 / 192 | 99 / 171 (median 153)
#                                                 lvsd    99 / 90  | 80 / 61   | 60 / 56  (median 71)
#   lvsd alone (ROUNDS=3, host load 0.5-1.5, one boot): 76 / 64 | 45 / 45 | 102 / 46 (median 55)
#   vrrp step (vrrpMs): before 3-42, lvsd 0.5-1.6 ms (5.5, 9.8 once each; 17.8 in the busy round:
#   BFD, IPVS settings and whatever the awaits let run). --trace-gc (ab1): the young room
#   ran 1-4 scavenges ("testing") in the seconds before each SIGHUP; none fell inside 3 of lvsd's
#   4 reloads (before, profiled boot: 2 inside the 1st, 1 inside the 2nd).
#   Left in lvsd's prepared reload (ms, the runs above): start 3-19 (a first SIGHUP's 6-19: the
#   daemon.signal log line, pino + a sync write + the syslog record, on its first run), read 8-34
#   (read(2) of 1 MB under TCG, plus the stats), lvs 15-62 (the engine's prepared in-place plan
#   carried out: 100 updateReal, patched rows, reconcile, encode), sent 3-10.
#  Plain path (HUP_AFTER_WRITE=1, same boots, ROUNDS=2 RELOADS=2; nothing here changes its parse):
#   ab3 (host load 1.1-2.3): before 350 / 405 | 653 / 391, lvsd 1,001 / 433 | 1,033 / 337 ms
#   (the lvsd rounds' poll cost, measured before the signal, 45 and 33 ms vs 13-15: the VM busy);
#   ab4 (host load 1.1-1.7): before 892 / 318 | 325 / 297, lvsd 423 / 387 | 396 / 284 ms;
#   parse - read 200-650 ms either way: session 8's finding stands (per-virtual-server JavaScript,
#   cold under TCG).
#  Not reached: a reliable < 60 ms prepared (median ~55-70, 102 once: lvs step 51, read 19, start
#   16); the plain path's < 100 ms needs the parse of 100 changed virtual servers at a few ms under
#   TCG, against 200+ now.
#
# 2026-11-26, session 8 (H1): the plain reload's checks step in proportion to the change; parse not.
#  The plain path (HUP_AFTER_WRITE=1: the file written ~1 ms before the signal, no prepared load).
#  Changes: cb525cb the parse says when no real server holds a MISC_CHECK / notify script
#   (ParseResult.mayHold): the script checks and the prune skip their walk of every real server;
#   c827fb2, b4aaadc: the parse says which previous virtual server a virtual server's
#   handed-back real servers came from and which were read anew (ParseResult.reuseOf), and the
#   virtual/real server checks look only at the fresh ones against the previous load's aggregate
#   (key -> index map shared while the keys are the same, weight sum, count), else the full pass;
#   e0e37bd, 8c7c562: the parse's run compare: the rest of a run whole, then a gallop over the blocks
#   not matched yet (text compared ~2x instead of ~7x per changed virtual server).
#  VM, lvsd-before = 73e5383 (.cache/h1s8/before), ROUNDS=2 RELOADS=2, HUP_AFTER_WRITE=1, 3 boots
#   (vm1: lvsd = cb525cb only; vm3: b4aaadc, the gallop without the whole compare first; vm4: the
#   final code), host load 0.6-2.5 (other helpers' VMs):
#   checks step (checks - model, ms): before 34 25 75 57 | 53 47 97 27 | 55 39 111 51 (median ~52)
#                                     lvsd   42 15 27 14 | 19 25 20 23 | 34 19 15 22 (median ~21)
#   parse step (parse - read):        before 65 130 197 123 | 83 112 202 114 | 102 142 129 158
#                                     lvsd  121 161 133 147 | 141 130 152 181 | 191 140 188 146
#   signal -> sent (vm3, vm4):        before 245 243 443 189 | 309 256 431 281 (median ~270)
#                                     lvsd   278 201 311 253 | 346 211 290 215 (median ~262)
#   e.g. vm4 lvsd 2nd round 1st SIGHUP: start 6.3, read 31.2, parse 218.7, model 218.7, checks 233.7,
#    diff 235, vrrp 238.8, lvs 280.5, sent 289.6 (before: checks 281 - model 170 = 111 ms).
#  Prepared path (no HUP_AFTER_WRITE, one boot, load 0.6-1.5; the SIGHUP runs none of this code):
#   signal -> sent before 50 51 107 26, lvsd 137 94 55 32 ms (lvsd's 1st round: kill->loop 17,
#   vrrp step 34 ms, read 32-35: the VM busy; not these changes' steps).
#  Host (HOST=1, 2 SIGHUPs per start, interleaved before/lvsd twice, load 1.1-1.4): applied before
#   31.9 23.1 / 13.2 18.3 ms, lvsd 23.8 22.0 / 11.9 18.7 ms; checks step before 8.6 3.4 / 2.6 2.8,
#   lvsd 3.8 5.3 / 1.2 1.8; parse step the same (before 9.8 12.0 / 5.6 11.8, lvsd 11.8 11.9 / 4.8 11.8).
#  Not reached: < 100 ms. The parse step (~110-190 ms in the VM, 2-5 ms on the host warm) did not
#   move with fewer bytes compared: under TCG it is not memcmp but per-virtual-server JavaScript
#   (100 headers parsed, a run's compares and copies, a changed block's lines, the signature
#   per parent), mostly cold. CPU profile of lvsd's SIGHUPs in the VM (--cpu-prof-interval 200,
#   .cache/h1s8/vmprof, attribution noisy under TCG): findAt, nextSourceLine, reuseAt, addRun,
#   pushRange, settleParent's signature, the BlockCacheBuilder's array, the 1 MB read (isAscii).
#   Next: skip whole unchanged virtual_server blocks (header + runs) by one compare and hand
#   back their records; the read: compare bytes with the previous file before decoding.
#  The rehearsal: src/config/rehearse-reload.ts (rehearseChangedReload) runs these paths on a
#   small made-up config; the daemon's start-up rehearsal calls it (10016f0). Its effect on the
#   first SIGHUP is not measured apart: the lead's standalone A/B of a rehearsal with a changed
#   variant of the 10,000-server file (every 100th real_server line re-spaced, .cache/lp) against
#   the unchanged file, 2 and 4 rehearsals, 2 boots: first reload parse+checks 85-331 ms either
#   way (noise larger than any gain); --no-flush-bytecode and 8 full GCs between: no effect;
#   --trace-gc in the daemon: no GC inside a reload. The same load in one process, 6th time:
#   parse 29, checks 12 ms (VM); host cold 11-12, warm 3.5 ms: first runs under TCG cost 3-5x.
#  Lead, the final code (0baef09 + bundle), one boot each, host load 0.3-1.4:
#   prepared path, ROUNDS=1 RELOADS=2 with keepalived: reload 124 / 72 ms (loop->sent 112 / 53)
#    vs keepalived 3,938 / 3,916 ms, 0 VIP deletions;
#   HUP_AFTER_WRITE=1, ROUNDS=2 RELOADS=2: reload 329 397 | 330 285 ms; steps read 17-57,
#    parse (- read) 181 313 183 200, checks (- model) 14 22 11 27 (this session's start: 30-77),
#    lvs (- vrrp) 42 27 55 17 ms.
#   Standalone A/B in one VM boot (.cache/ab: initial load, 2 rehearsals, 3 changed reloads, x3):
#    parse/checks ms, 73e5383: parse 45-124 (median 67), checks 12-69 (25); the final code: parse
#    45-145 (82), checks 8-48 (15); the final code without the gallop (e0e37bd, 8c7c562 reverted):
#    parse 57-117 (91), checks 12-67 (15). The checks gain holds; the parse spread (3x) hides
#    any difference between the three.
#  Lead, a build of 73e5383 (before the helpers' commits), prepared path (default),
#   PHASES="idle reload" ROUNDS=1 RELOADS=2, one boot, host load 1.2-2.6: reload 83 / 123 ms (loop->sent 58 / 107) vs keepalived 4,920 / 8,466 ms,
#   0 VIP deletions; idle lvsd 7.66 CPU-s per 60 s, 68.5 MB vs keepalived 12.82, 17.5 MB (3 procs).
#
# 2026-11-26, session 7 (H2): the lvs and sent steps (SIGHUP's engine reload and IPVS apply) cut.
#  Changes (21b97cf, 6c50faa): the engine walks the 10,000 real servers once with an identity compare
#   and nothing else (the runtime takes a new object only where one came), compares a new object
#   once (compareExcept: equal / entry-only / check inputs, instead of sameValue then sameExcept);
#   the start-up rehearsal runs a changed server's whole path (update, patched rows, reconcile, the
#   request bytes) on throwaway one-server policies; IPVS: a lane reuses its datagram buffer (a
#   fresh 9 KB ArrayBuffer per datagram), destination requests are class instances (an object
#   literal with a getter is a runtime call each), the edge's cache and reconcile take service keys
#   remembered per service object, logApply/executeOps one pass over the operations.
#  VM, first SIGHUP after start, every run with the prepared reload (file saved 1-2 s before the
#   signal), ROUNDS=2 RELOADS=2, lvsd-before = f62e696 (the lead's HEAD then), lvsd = 21b97cf (runs
#   1-2) and 6c50faa (runs 3-6), both in .cache/h2s7/ (bundles), host load 1.1-2.1, VM load 0.4-2.0:
#   signal -> sent: before 107, 157 | 175, 168 | 155, 97 | 163, 121 | 101, 107 | 102, 168 ms
#                   lvsd    60, 75  |  86, 81  | 118, 87 | 142, 130 | 108, 78  |  83, 101 ms
#                   (medians 138 -> 87; SIGHUP -> visible in the kernel: before 114-214, lvsd 89-175)
#   vrrp -> sent (the engine and IPVS part): before median 86 (65-125), lvsd median 59 (37-88) ms;
#    of it lvs -> sent (reconcile, encode, send): before 20-41, lvsd 3-14 ms.
#   e.g. lvsd run 1: start 6.4, read 13.4, vrrp 17.8, lvs 57.3, sent 60.4, acked 62.5 (before: start
#    10.4, read 15.9, vrrp 21, lvs 69.6, sent 107.2, acked 109.2).
#  CPU profile of the first SIGHUP (VM, --cpu-prof-interval 200, 21b97cf, 60 ms window): engine
#   reload 29 (reloadInPlace 23: new-object compares of the 100 changed 9, the virtual servers'
#   own-field compares 9, the identity pass ~9 in build/reloadInPlace self), the edge's attempt 23
#   (reconcile, cache, encode inlined), runOps 7, pump 5: every part but the identity pass is
#   per changed server or per service; what is left is code running its first hundred times
#   (the same daemon's second SIGHUP: vrrp -> sent lvsd 19-62, median 26; before 20-87, median 37)
#   and the timing noise of TCG (the same bundle swings +-30 ms between boots).
#  In-process in the VM (the engine and IpvsEdge on the real kernel, no daemon; diff -> sent of the
#   first reload): before 80, 80, 127 / 21b97cf 75, 68, 89 / 6c50faa 77, 58, 33 ms.
#  Host (HOST=1, no IPVS, not prepared: the file is written just before the signal), 4 SIGHUPs per
#   start, 2 starts each, interleaved, load 0.8-1.8: lvs step before 3.0 1.9 3.2 5.7 / 8.4 8.2 7.7
#   5.4 ms, lvsd 4.2 1.6 1.7 2.2 / 7.6 4.0 3.9 21.9 ms (host noise; no IPVS work here).
#  LvsEngine.prepareReload (b42b694): the engine's comparisons made when the daemon prepares the
#   load (needs the daemon to call it: .cache/h2s7/daemon-prepare.patch, reload.ts/daemon.ts are the
#   lead's). In-process in the VM (read -> sent, the prepared load and plans taken): 17, 17, 19 ms
#   (without: diff -> sent 39, 26, 70). Daemon with the patch (.cache/h2s7/p) vs 6c50faa, 2 VM runs,
#   first SIGHUP: signal -> sent 125, 74, 44, 85 vs 102, 138, 98, 82 ms; vrrp -> sent 82, 36, 18, 44
#   vs 66, 87, 64, 47 ms (lvs step 14-77 ms). With the lead's hook (b932f9f) and vsPlanned in the
#   log (bec2c9e, .cache/h2s7/p) vs 6c50faa, one VM run (host load 2.3, VM 0.5-1.2), every reload
#   vsPlanned 100: first SIGHUP lvs step 32.9, 32.0 vs 65.7, 71.7 ms; vrrp -> sent 36, 43 vs 69,
#   80; signal -> sent 79, 83 vs 88, 100 (read and vrrp slower in those two rounds); the second
#   SIGHUP: lvs step 11.1, 11.4 vs 19.1, 21.6, signal -> sent 28, 41 vs 35, 43 ms.
#  Not done: the checks step (parse -> checks, only on a reload that is not prepared): a re-check of
#   the changed real servers against per-virtual-server aggregates kept from the last load.
#
# 2026-11-26, session 6 (H2): where the time from SIGHUP to the kernel goes, and the first reload's cut.
#  The poll: one `ip netns exec ipvsadm -L -n -t` poll of one service costs 150-900 ms under TCG
#   (fork+exec of ip, ipvsadm, awk; measured before each reload: poll_cost), so the ~450 ms between
#   reload.applied and "visible" in session 5 was mostly the poll's own period and the CPU it took.
#   The netlink poller costs 10-20 ms a poll (one dump of 100 destinations, no process started).
#  Steps (reload.applied `at`), VM, the first SIGHUP after start, code of the session's start
#   (.cache/h2s6/inst2 = 7e589c4 + the timing fields only), 12 samples over 6 boots, host load 0.2-2.9:
#   SIGHUP -> visible 416-673 ms (one 1,307 with another VM running); kill->loop 2-9 ms (once 141:
#   the loop busy); loop->sent 394-548; sent->acked 3-25 (once 154); sent->visible 4-28 (poll period);
#   inside: start 6-30 (the daemon.signal log line, cold), read 13-40 (1 MB), parse 110-230, checks
#   70-120, diff 8-24, vrrp 13-30, lvs 45-190, lvs->sent 20-40 (reconcile, encode, send).
#  Warm: the same daemon's 2nd/3rd/4th SIGHUP (RELOADS=4, one boot): 298 / 209 / 149 ms to visible
#   (4th: read 22, parse 82, checks 17, diff 1, vrrp 2, lvs 9, sent 4, acked 3): most of a first
#   reload is code running for the first time or before V8 optimised it (reload-only code: the parse
#   with reuse, the VRRP and engine reload paths; the checks tier up with repetition).
#  CPU profile of that first reload (--cpu-prof, 640 ms sampled): parseConfig 219 (reuse's
#   reuseAt/findAt/adopt 82, fastLine 108, read 27), validateModel 129 (virtual and real server
#   checks 84, script checks 25), VRRP's diff 39, engine reload 63 (reloadInPlace 29, the apply
#   27), log writes 29 (pino + the syslog stream); no garbage collection in the window.
#  V8 flags, A/B in the same boots (ROUNDS=2 each): --no-flush-bytecode 462/547 vs 426/1,307 (load);
#   --always-sparkplug 712/465 vs 416/500: no gain beyond the noise (the code is not flushed here).
#  The cut: the daemon rehearses a reload twice while idle after start (Daemon.rehearse, 1.5 s after
#   the first apply, 100 ms apart): the file read with reuse, checked and diffed, then dropped; VRRP
#   and the engine reloaded with the running model (an empty difference); the engine's changed-server
#   comparisons and policy update on copies (LvsEngine.rehearseChanges). Then a full GC (and after
#   each reload: off the critical path; A/B with and without it in one boot: no difference).
#   VM, lvsd-before = inst2, lvsd = the final code (e89831d), one boot each, host load 1.1-2.9:
#    run A (PHASES="idle reload", ROUNDS=2, RELOADS=2; VM load 1.1-1.9), lvsd-before / lvsd / keepalived:
#     reload 1st SIGHUP 569 / 393 / 4,501 and 439 / 272 / 4,468 ms; 2nd 257 / 342 / 3,893 and
#       297 / 256 / 4,076 ms; 0 VIP deletions
#     lvsd's steps, 1st: start 7 / 12, read 18 / 24, parse 148 / 124, checks 237 / 180, diff 239 / 189,
#       vrrp 246 / 193, lvs 356 / 233, sent 383 / 258, acked 385 / 261 (ms after the signal)
#     idle 18.4 / 11.8 / 13.2 and 19.4 / 15.2 / 13.0 CPU-s per 60 s, RSS 70 / 68 / 18 and 70 / 65 / 18 MB
#       (lvsd-before also lacks H1's timed check engine of this session)
#    run B (ROUNDS=2, RELOADS=3, lvsd-before = the final code, lvsd = the same without the full GC):
#     1st 328 / 324 and 259 / 277 ms; 2nd 276 / 233 and 241 / -; 3rd 241 / 268 and 192 / -
#    earlier boots: one rehearsal (no GC) vs inst2 274 vs 1,344 (another VM running) and 321 vs 497
#     ms; one rehearsal vs two + GC + rehearseChanges 291 / 341 and 404 / 347 ms
#    run C (ROUNDS=3, RELOADS=1; lvsd-before = the final code, lvsd = it plus a rehearsal that also
#     reads every 100th real server again as if changed and encodes one weight edit per service):
#     355 / 381 / 4,023, 341 / 312 / 3,993, 353 / 455 / 4,669 ms (VM load 1.3-2.2): no gain, reverted
#     (02d3a2b). CPU profile of a first reload after the rehearsals (final code, profiled 626 ms):
#     parseConfig 303 (fastLine 141 and generalLine 50 for the changed blocks, reuseAt 96),
#     validateModel 46 (was 129), engine reload 113 (reloadInPlace 89), IPVS encode 62 (editDest
#     requests: the start-up fill encoded additions), GC 27, log writes 19.
#   First SIGHUP -> kernel (sent): 243-383 ms over the final code's 7 first reloads (runs A-C; before:
#   394-548); SIGHUP -> visible 259-393 ms;
#   vrrpMs 3-15 (was 13-45), lvsMs 40-110.
#  Host (HOST=1, no IPVS), 4 SIGHUPs per start, 2 starts each, interleaved, load 0.8-1.6:
#   inst2 50 / 13 / 13 / 11 and 28 / 26 / 17 / 11 ms; final 23 / 20 / 18 / 13 and 21 / 14 / 12 / 9 ms.
#  What is left of < 100 ms in the VM (TCG: this code runs 20-30x slower than on the host, 15-20x
#   even warm): work proportional to 10,000 in every reload even at 100 changed: reading and
#   comparing the 1 MB text (read 11-30 ms), the parse's reuse (100 changed blocks, a run compare
#   per virtual server: 80-130 ms), the checks (one pass per real server in 3-4 checks: 20-90 ms),
#   the engine's pass over every real server (identity compares: 9 ms warm) and the desired rows.
#   The checks cannot skip a virtual server here: every one of the 100 has a changed real server;
#   a check pass over only the changed ones needs each virtual server's aggregates (duplicates,
#   weight sum, family) kept from the last load. A warm daemon (a 4th reload) reaches 149 ms.
#
# 2026-11-26, session 5, end (lead): the final code (fad8c89: H2's reuse, H3's lvs/ipvs work), quiet host
# (load 0.6-1.5), VM load in the rows 0.7-1.9, two VM runs (ROUNDS=1, then ROUNDS=2), lvsd / keepalived:
#   reload (SIGHUP -> last changed weight in the kernel): 1,033 / 5,116, 968 / 4,178, 887 / 5,446 ms;
#          0 VIP deletions; lvsd's own (total parse vrrp lvs ipvs): 502 343 31 86 40,
#          599 401 13 93 91, 552 358 27 103 62 (start of the session: 1,116-1,190, parse 503-668,
#          lvs 218-274, ipvs 288-314)
#   fill   9.6 / 6.2 s, 9.8 / 4.9 s, 9.9 / 4.8 s (lvsd daemon.start +3.8-4.0 s)
#   The ~450 ms between lvsd's own total and the weight seen in the kernel is not in reload.applied's
#   phases (signal delivery to the loop, the new model's GC, the poll's ipvsadm runs): not measured yet.
# 2026-11-26, session 5, parse phase (H2): a reload re-reads only the real_server blocks whose text
# changed (grammar/reuse.ts, src/config/load.ts: the others are found by native string compares,
# a run at a time, and handed back as the same objects). Worktrees: before = 2871b91; own parse ms
# of reload.applied (first SIGHUP after start, the one that counts: cold code):
#   VM, ROUNDS=2, after = 580c786 (first form, one compare per block; VM load 0.5-1.3):
#        before 708 / 722, after 565 / 425
#   host, HOST=1, after = 121c961 (runs of blocks, segments), 2 daemons each, interleaved, load
#        1.4-2.6: before 33 / 49, after 15 / 14; in-process, a fresh process loading the 10,000
#        config then reloading it with 1% changed, 15 each, interleaved, load 0.8-0.9: before
#        39.0 ms (median; 34-53), after 14.8 ms (10-22); the final bundle (9437ebf: only a process
#        that reloads keeps blocks, the daemon's first load included), HOST=1, load 2.0: 10.6 ms
# (no VM figure for the final form: the bench lock was queued past the session's end)
# What is left is not the reading: the model checks still walk all 10,000 real servers (next
# step: check only the changed ones; the unchanged ones' results cannot change), and the first
# reload runs cold code (bytecode flushed while idle).
# 2026-11-26, session 5, lvs and ipvs phases (H3; BEFORE=.cache/h3/before: the bundle of 1d1a0c3,
# the start of this work; lvsd = dist/bundle of 13:16: H3's engine changes up to 600fd53 and H2's
# parse work of then), ROUNDS=2 each, lvsd-before / lvsd now / keepalived:
#  run A, host load 1.3-1.6, VM load in the rows 0.7-1.2:
#   reload (SIGHUP -> last changed weight in the kernel): 1,450 / 989 / 4,611 ms and
#          1,319 / 1,030 / 5,616 ms; 0 VIP deletions for all
#          own (total parse vrrp lvs ipvs): before 1,238 538 35 313 353 / 1,226 643 43 328 211
#                                           now      655 519 11  73  51 /   716 529 13 101  71
#  run B, host load 2-5 (other helpers' benchmarks), VM load 1.9-3.0:
#   reload 3,516 / 2,528 / 5,488 ms and 1,351 / 1,600 / 5,912 ms; 0 VIP deletions
#          own: before 3,252 1,748 85 708 711 / 1,355 762 35 243 314
#               now    1,929 1,781 42  44  56 / 1,400 1,009 38 205 145
#  run C (lvsd = bundle of 310077f: all of H3's commits and H2's of 14:00), host load 1.3-1.8, VM 0.6-1.7:
#   reload 1,354 / 870 / 5,251 ms and 1,478 / 1,008 / 5,387 ms; 0 VIP deletions
#          own: before 1,337 638 15 238 445 / 1,295 611 15 316 351
#               now      634 419 21 132  61 /   596 355 13 185  42
#   lvs (238-708 -> 44-205 ms): a real server is compared by identity first (H2's parser hands
#        unchanged ones back as the same object), else by a flat structural compare
#        (src/lvs/same-value.ts: primitives inline, no hasOwnProperty call and no recursion per
#        field; cold, interpreter only, on the host 22 -> 13 ms CPU for 10,000 equal copies,
#        3 ms when they are the same objects); the services of an address virtual server are not
#        rebuilt to be compared.
#   ipvs (211-711 -> 42-145 ms): the checks that fell due during the parse (100-300 at delay_loop
#        60) no longer start ahead of the kernel's acknowledgements: LvsEngine.holdChecks() keeps
#        them until the reload's apply is done and starts them in the next turn (checksHeld in
#        reload.applied). From c8150e1 on (run C): the cache hands reconcile its rows keyed by
#        service and copies its table only when asked.
#   vrrp (11-43 ms): proportional; unchanged instances are neither stopped nor restarted (the
#        plan of all 10 is rebuilt and compared, BFD and IPVS settings are no-ops when unchanged).
#   What is left of the goal (< 100 ms): the parse phase (H2), then lvs and ipvs swing 2-5x between
#   rounds with the host's load (lvs 44-390 ms over three runs of the same bundle): cold code and
#   a scavenge or mark-compact of the new model landing in one phase or another; after the apply's
#   datagrams the acknowledgements still wait behind the VRRP advert and netlink drop-watch timers
#   that fell due during the parse (the kernel holds the new weights from the send on).
# 2026-11-26, session 4 (BEFORE=.cache/h3/before: the bundle at the start of the session, 48b2f92;
# lvsd now at 43911db+, all helpers' work of the session so far), one VM run, ROUNDS=2, host load
# 1.6-3.2 (other helpers' jobs), VM load in the rows 0.9-1.7; lvsd-before / lvsd now / keepalived:
#   reload (SIGHUP -> last changed weight in the kernel): 1,440 / 1,102 / 5,625 ms and
#          1,599 / 1,406 / 5,743 ms; 0 VIP deletions for all
#          own (total parse vrrp lvs ipvs): before 1,690 631 22 288 748 / 1,634 734 38 312 549
#                                           now    1,116 503 24 274 314 / 1,190 668 16 218 288
#          (ipvs: the diff now looks only at the changed entries of the touched services - rows patched
#          in place name their base, the edge's cache keeps the applied arrays - and one ack per
#          datagram; what is left is mostly waiting for the acks behind the checks that fell due
#          during the synchronous parse; lvs: the engine's per-real-server comparison)
#   fill   11.2 / 9.2 / 5.4 s and 14.5 / 10.8 / 4.8 s (lvsd daemon.start +6.1 / +3.5 and +4.8 / +4.6 s:
#          pino and netlink's JavaScript are bundled, the daemon chunk imports in 1.0-1.7 s instead of
#          1.8-4.6 s; first apply done +8.0 / +5.0 and +9.6 / +6.2 s)
#   idle   45.3 / 38.1 / 22.3 and 31.2 / 22.1 / 22.8 CPU-s per 60 s (now 1.7x / 0.97x keepalived),
#          RSS 78 / 68 / 18 MB
#   reload.applied logs parsePasses: 1 here (the reload parses and checks the file once, as -t does;
#          the variable part beyond -t is the engine matching 10,000 real servers, the lvs phase)
# End of session 3, quiet machine (nothing else running; VM load in the rows 0.6-1.4), lvsd now vs
# keepalived, two rounds each:
#   idle   lvsd 18.66 / 19.72 CPU-s per 60 s, 80 / 79 MB; keepalived 11.76 / 12.90, 18 MB (3 procs):
#          1.59x / 1.53x (goal within 2x: met on a quiet machine)
#   reload lvsd 1,626 / 1,331 ms to the last changed weight (own: parse 779 / 551, vrrp 41 / 17,
#          lvs 262 / 311, ipvs 516 / 453 ms); keepalived 4,554 / 5,036 ms; 0 VIP deletions for both
#   fill   lvsd 11.1 / 11.7 s (daemon.start +4.8 / +3.8 s, first apply done +6.8 / +7.3 s);
#          keepalived 4.9 / 4.6 s
# Measured 2026-11-26, session 3, in the TCG VM (2 vCPU; the host's 2 cores shared with other
# helpers' jobs, host load 2.7-4.1; VM load in the rows). Two rounds, each: lvsd before this
# session's change (92dea2a, same bin and script), lvsd now, keepalived. Under TCG one round's
# wall times swing 2-3x with the host's load; compare within a round.
#   first fill of 10,000 real servers (start -> table stable):
#          lvsd before 23.5 / 18.4 s (earlier runs 87-98 s: first probes of 10,000 checks competing
#          with the fill, netlink timeouts, retries with backoff)
#          lvsd now 15.9 / 9.2 s (daemon.start +8.4 / +3.6 s, fill applied +11.6 / +5.8 s: the
#          checks start once the first apply is done); keepalived 8.0 / 3.9 s
#   reload (SIGHUP -> last changed weight in the kernel):
#          lvsd before 2.5 / 4.5 s (own: parse 0.88 / 0.85, lvs 1.22 / 2.28, ipvs 0.54 / 2.94 s)
#          lvsd now 3.8 / 1.2 s (own: parse 2.07 / 0.56, lvs 0.68 / 0.36, ipvs 1.64 / 0.45 s)
#          keepalived 8.3 / 5.8 s; 0 VIP deletions for all
#          (other runs of lvsd now, same VM: 1.6, 1.2, 3.0, 1.2, 3.9 s; lvs 0.24-1.1 s)
#   idle   lvsd 28.5 / 28.3 CPU-s per 60 s, 80 MB RSS (1 process); keepalived 24.0 / 11.8, 17 MB (3)
#          (earlier: lvsd 18.9 / 19.9, keepalived 20.2 / 18.2 at host load 1-4; on the host, 1,000
#          TCP real servers without VRRP, lvsd before 1.56 and now 1.54 CPU-s per 60 s: no change)
#   host, HOST=1 (no IPVS; 4 SIGHUPs in a row, load 2.5-4): reload.applied before 63-224 ms
#          (lvs 34-135 ms), now 19-47 ms (parse 12-32, lvs 5.6-13.4, ipvs 1 ms: no kernel work)
# Env: SECS (30), WARM (10), ROUNDS (2), RELOADS (1: SIGHUPs per daemon start), RELOAD_GAP (5 s between them),
# LVSD (., the directory whose dist/ has lvsd's bundle and the poller's IPVS client), IDLE_RS (1000), RELOAD_RS (10000), ONLY (daemons to run, e.g. "lvsd-before lvsd"),
# PHASES ("idle reload"), HOST=1, FILL_TIMEOUT (900 s), VERBOSE (fill counts, log events),
# LVSD_NODE_ARGS (extra node flags for lvsd, e.g. --cpu-prof --cpu-prof-dir=DIR with run.mjs --rw=DIR),
# LOGS=DIR (each daemon's log is copied there at its stop; with run.mjs --rw=DIR),
# HUP_AFTER_WRITE=1 (the poller writes the changed file itself and signals at once, ~1 ms later:
# no time for lvsd's prepared reload; without it the file is written SAVE_GAP (1.5) s before the
# signal, as an operator saves, then reloads: the node poller's start gave 1-2 s under TCG by
# accident until session 12; the C poller signals within ~30 ms of its start),
# BEFORE_NODE_ARGS (node flags for lvsd-before only, instead of LVSD_NODE_ARGS: with BEFORE set to a
# copy of the same bundle, an A/B of a V8 flag in the same rounds),
# POLLER (c: bench/ipvs-poll.c, built in the guest, polling every POLL_US; js: the node poller of
# sessions 6-11, every POLL_MS; see sighup_poll).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${HOST:-}" = 1 ]; then PHASES=host; else
[ "${LVSD_IN_VM:-}" = 1 ] || { echo "bench/daemon.sh runs inside the VM: node test/kernel/vm/run.mjs --timeout=3000 -- bash bench/daemon.sh (or HOST=1 for the reload on this machine, without IPVS)" >&2; exit 2; }
fi
# BEFORE=DIR: an older build (DIR/dist/bundle/lvsd.cjs, its node_modules found from there) runs
# as a third daemon, lvsd-before, in the same rounds
daemons="${BEFORE:+lvsd-before }lvsd keepalived"
SECS=${SECS:-30}; WARM=${WARM:-10}; ROUNDS=${ROUNDS:-2}; IDLE_RS=${IDLE_RS:-1000}; RELOAD_RS=${RELOAD_RS:-10000}; PHASES=${PHASES:-idle reload}
LVSD=${LVSD:-.}
[ -f "$LVSD/dist/bundle/lvsd.cjs" ] || { echo "$LVSD/dist/bundle missing: npx tsc -p . && node scripts/bundle.mjs first" >&2; exit 2; }
work=$(mktemp -d /tmp/daemon-bench-XXXX) # guest tmpfs: pid files, logs
[ "${POLLER:-c}" != c ] || cc -O2 -o "$work/ipvs-poll" bench/ipvs-poll.c || { echo "cc bench/ipvs-poll.c failed" >&2; exit 2; }
ns=dmb$$; peer=dmp$$
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for f in "$work"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true; ip netns del "$peer" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"; ip netns add "$peer"
ip link add veth0 netns "$ns" type veth peer name veth1 netns "$peer"
ip -n "$ns" addr add 10.98.0.1/24 dev veth0; ip -n "$peer" addr add 10.98.0.2/24 dev veth1
for n in "$ns" "$peer"; do ip -n "$n" link set lo up; done
ip -n "$ns" link set veth0 up; ip -n "$peer" link set veth1 up
ulimit -n 65536 || true

gen_conf() { # RS DELAY CHANGED(0|1) OUT
  node -e '
    const [n, delay, changed, out] = [Number(process.argv[1]), process.argv[2], process.argv[3] === "1", process.argv[4]];
    const p = ["global_defs {\n  router_id bench\n}\n"];
    for (let i = 1; i <= 10; i++) p.push(`vrrp_instance VI_${i} {\n  state BACKUP\n  interface veth0\n  virtual_router_id ${10 + i}\n  priority 100\n  advert_int 1\n  virtual_ipaddress {\n    10.98.1.${i}/32\n  }\n}\n`);
    for (let v = 0; v * 100 < n; v++) {
      p.push(`virtual_server 10.97.${v >> 8}.${v & 255} 80 {\n  delay_loop ${delay}\n  lb_algo wlc\n  lb_kind NAT\n  protocol TCP\n`);
      for (let r = v * 100; r < Math.min(n, v * 100 + 100); r++) {
        const w = changed && r % 100 === 99 ? 2 : 1;
        p.push(`  real_server 127.1.${r >> 8}.${(r & 255)} 8080 {\n    weight ${w}\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`);
      }
      p.push("}\n");
    }
    require("fs").writeFileSync(out, p.join(""));' "$1" "$2" "$3" "$4"
}

ip netns exec "$ns" node -e "require('net').createServer((s) => { s.on('error', () => {}); s.destroy(); }).listen({ port: 8080, host: '0.0.0.0', backlog: 4096 })" &
pids+=("$!")

hz=$(getconf CLK_TCK)
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo "$t"; }
rss() { local k=0 p; for p in "$@"; do k=$((k + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done; awk -v k="$k" 'BEGIN { printf "%.1f", k/1024 }'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# start DAEMON CONF -> sets dpids (all processes of the daemon) and main
start() {
  rm -f "$work"/*.pid
  if [ "$1" = lvsd ] || [ "$1" = lvsd-before ]; then
    # (the node flag bin/lvsd gives the daemon, unless LVSD_NODE_ARGS says otherwise)
    local bin=${LVSD:-.}/dist/bundle/lvsd.cjs args=${LVSD_NODE_ARGS:---min-semi-space-size=16}
    [ "$1" = lvsd ] || { bin=$BEFORE/dist/bundle/lvsd.cjs; args=${BEFORE_NODE_ARGS-$args}; }
    ip netns exec "$ns" node $args "$bin" -n -G -f "$2" -p "$work/l.pid" -r "$work/lv.pid" -c "$work/lc.pid" --status-socket none > "$work/$1.log" 2>&1 &
    main=$!; pids+=("$main"); dpids=("$main")
  else
    ip netns exec "$ns" keepalived -n -l -G -f "$2" -p "$work/k.pid" -r "$work/kv.pid" -c "$work/kc.pid" > "$work/keepalived.log" 2>&1 &
    main=$!; pids+=("$main")
    for _ in $(seq 300); do [ -s "$work/kv.pid" ] && [ -s "$work/kc.pid" ] && break; sleep 0.1; done
    dpids=("$main" "$(cat "$work/kv.pid")" "$(cat "$work/kc.pid")")
  fi
}
stop() {
  kill -TERM "$main" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$main" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$main" 2>/dev/null || true
  ip netns exec "$ns" ipvsadm -C
  if [ -n "${LOGS:-}" ]; then for f in "$work"/*.log; do cp "$f" "$LOGS/$(date +%s)-$(basename "$f")"; done; fi
}
# waits until the last virtual server lists its 100th real server with weight W
wait_weight() { # NRS W TIMEOUT_S
  local v=$(( ($1 - 1) / 100 )) r=$(( $1 - 1 )) deadline=$(( $(now_ms) + $3 * 1000 ))
  local want="127.1.$((r >> 8)).$((r & 255)):8080"
  while [ "$(now_ms)" -lt "$deadline" ]; do
    if ip netns exec "$ns" ipvsadm -L -n -t "10.97.$((v >> 8)).$((v & 255)):80" 2>/dev/null | awk -v a="$want" -v w="$2" '$2 == a && $4 == w { f = 1 } END { exit !f }'; then return 0; fi
    sleep 0.02
  done
  return 1
}

# waits until the kernel table holds N real servers and keeps that count for 3 s (the daemon's
# first fill of IPVS is over; a last server present does not mean all are)
wait_filled() { # N TIMEOUT_S
  local deadline=$(( $(now_ms) + $2 * 1000 )) stable=0 c
  while [ "$(now_ms)" -lt "$deadline" ]; do
    c=$(ip netns exec "$ns" ipvsadm -L -n | grep -c '^  -> [0-9]' || true)
    [ -z "${VERBOSE:-}" ] || echo "  fill: $c at +$(( $(now_ms) - deadline + $2 * 1000 )) ms" >&2
    if [ "$c" -eq "$1" ]; then stable=$((stable + 1)); [ "$stable" -ge 3 ] && return 0; else stable=0; fi
    sleep 1
  done
  return 1
}

idle="$work/idle.conf"; gen_conf "$IDLE_RS" 6 0 "$idle"
big="$work/big.conf"; gen_conf "$RELOAD_RS" 60 0 "$big"
big2="$work/big2.conf"; gen_conf "$RELOAD_RS" 60 1 "$big2"
live="$work/live.conf"

if [[ " $PHASES " == *" idle "* ]]; then
echo "# idle: 10 VRRP instances, $IDLE_RS real servers (TCP_CHECK, delay_loop 6); WARM=$WARM s, SECS=$SECS s"
printf '%-6s %-11s %10s %8s %6s %s\n' round daemon 'CPU-s/60s' 'RSS MB' procs 'loadavg(VM)'
for round in $(seq "$ROUNDS"); do
  for d in $daemons; do
    [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $d "* ]] || continue
    start "$d" "$idle"
    wait_weight "$IDLE_RS" 1 120 || { echo "$d: table not filled" >&2; tail -20 "$work/$d.log" >&2; }
    sleep "$WARM"
    t0=$(ticks "${dpids[@]}"); sleep "$SECS"; t1=$(ticks "${dpids[@]}")
    printf '%-6s %-11s %10s %8s %6s %s\n' "$round" "$d" "$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$SECS" 'BEGIN { printf "%.2f", (b-a)/hz*60/s }')" \
      "$(rss "${dpids[@]}")" "${#dpids[@]}" "$(cut -d' ' -f1-3 /proc/loadavg)"
    stop
  done
done
fi

# own_report LINES [LOG]: the first reload.applied after line LINES of lvsd's log, as "total parse vrrp lvs ipvs" ms
own_report() {
  local log=${2:-$work/lvsd.log}
  for _ in $(seq 300); do tail -n +"$(($1 + 1))" "$log" | grep -q '"event":"reload.applied"' && break; sleep 0.1; done
  tail -n +"$(($1 + 1))" "$log" | grep '"event":"reload.applied"' | head -1 | node -e '
    let t = ""; process.stdin.on("data", (d) => t += d).on("end", () => { try { const r = JSON.parse(t);
      process.stdout.write([r.ms, r.parseMs, r.vrrpMs, r.lvsMs, r.ipvsMs].join(" ") + (r.prepared ? " prepared" : ""));
      if (r.at) process.stdout.write(" | at " + Object.entries(r.at).map(([k, v]) => k + " " + v).join(", "));
    } catch { process.stdout.write("-"); } });'
}

# sighup_poll DAEMON_PID NRS W TIMEOUT_S: one process in the daemons namespace sends SIGHUP and polls
# the last virtual service's destinations over netlink until the last real server has weight W.
# One dump of 100 destinations, no process started per poll (an `ipvsadm -L -n -t` poll forks ip,
# ipvsadm and awk: see poll_cost). Prints "sighupAt visibleAt pollMs polls" (epoch ms; pollMs:
# median cost of one poll, measured before). POLLER=c (default, from session 12): bench/ipvs-poll.c,
# a dump (~0.8 ms of guest CPU) every POLL_US (2000) us; POLLER=js: LVSD's dist/src/ipvs/client.js every POLL_MS (5) ms
# (sessions 6-11: ~13 ms of guest CPU per dump, so it held most of a vCPU beside the daemon).
sighup_poll() {
  local v=$(( ($2 - 1) / 100 )) r=$(( $2 - 1 ))
  if [ "${POLLER:-c}" = c ]; then
    ip netns exec "$ns" "$work/ipvs-poll" "$1" "10.97.$((v >> 8)).$((v & 255))" 80 "127.1.$((r >> 8)).$((r & 255))" 8080 "$3" "$4" "${POLL_US:-2000}" ${pending_src:+"$pending_src" "$live"}
    pending_src=
    return
  fi
  ip netns exec "$ns" node --input-type=module -e '
    const [dir, pid, vs, rs, w, timeoutS, pollMs, src, dst] = process.argv.slice(1);
    const { NetlinkIpvs } = await import(dir + "/dist/src/ipvs/client.js");
    const k = await NetlinkIpvs.open();
    const svc = { af: 2, protocol: 6, addr: vs, port: 80, fwmark: 0, sched: "wlc", flags: 0, timeout: 0, netmask: 0xffffffff };
    const now = () => Date.now(); // (as lvsd signalAt: performance.timeOrigin is off by 100+ ms in the VM)
    const seen = async () => (await k.dests(svc)).some((d) => d.addr === rs && d.port === 8080 && d.weight === Number(w));
    const costs = [];
    for (let i = 0; i < 21; i++) { const a = performance.now(); await seen(); costs.push(performance.now() - a); }
    costs.sort((a, b) => a - b);
    if (src) (await import("node:fs")).copyFileSync(src, dst);
    const t0 = now(); process.kill(Number(pid), "SIGHUP");
    let polls = 0, at = 0;
    while (now() - t0 < Number(timeoutS) * 1000) {
      polls++;
      if (await seen()) { at = now(); break; }
      await new Promise((r) => setTimeout(r, Number(pollMs)));
    }
    k.close();
    console.log([t0, at || "timeout", costs[10].toFixed(2), polls].join(" "));' \
    "$(realpath "$LVSD")" "$1" "10.97.$((v >> 8)).$((v & 255))" "127.1.$((r >> 8)).$((r & 255))" "$3" "$4" "${POLL_MS:-5}" "$pending_src" "$live"
  pending_src=
}

# write_conf FILE: the daemon's file becomes FILE now, SAVE_GAP s before the SIGHUP, or (HUP_AFTER_WRITE=1)
# in the poller, just before its SIGHUP
pending_src=
write_conf() { if [ "${HUP_AFTER_WRITE:-}" = 1 ]; then pending_src=$1; else cp "$1" "$live"; sleep "${SAVE_GAP:-1.5}"; fi; }

# poll_cost NRS: ms of one `ipvsadm -L -n -t` poll of the last service as wait_weight runs it (median of 5)
poll_cost() {
  local v=$(( ($1 - 1) / 100 )) i a b out=()
  for i in 1 2 3 4 5; do
    a=$(date +%s%N); ip netns exec "$ns" ipvsadm -L -n -t "10.97.$((v >> 8)).$((v & 255)):80" | awk '$4 == 9 { f = 1 } END { exit !f }' || true; b=$(date +%s%N)
    out+=($(( (b - a) / 1000000 )))
  done
  printf '%s\n' "${out[@]}" | sort -n | sed -n 3p
}

# steps LINES LOG SIGHUP_AT VISIBLE_AT: lvsd's reload.applied against the poller's clock:
# "kill->loop L, loop->sent S, sent->acked A, acked->visible V" ms
steps() {
  tail -n +"$(($1 + 1))" "$2" | grep '"event":"reload.applied"' | head -1 | node -e '
    const [h, vis] = process.argv.slice(1).map(Number);
    let t = ""; process.stdin.on("data", (d) => t += d).on("end", () => { try { const r = JSON.parse(t); const a = r.at;
      const f = (x) => x === undefined || Number.isNaN(x) ? "-" : x.toFixed(0);
      process.stdout.write(`kill->loop ${f(r.signalAt - h)}, loop->sent ${f(a.sent)}, sent->acked ${f(a.acked - a.sent)}, sent->visible ${f(vis - r.signalAt - a.sent)}`);
    } catch { process.stdout.write("-"); } });' "$3" "$4"
}

if [ "$PHASES" = host ]; then
  # On this machine (no ip_vs: the IPVS edge's attempt fails at once and is retried later, so the
  # ipvs phase is not IPVS work): lvsd alone, SIGHUP ROUNDS times, big2 and big in turn.
  echo "# host reload (no IPVS): $RELOAD_RS real servers, 1% weights changed, SIGHUP; host loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
  cp "$big" "$live"
  start lvsd "$live"
  for _ in $(seq 600); do grep -q '"event":"daemon.start"' "$work/lvsd.log" && break; sleep 0.1; done
  sleep "$WARM"
  printf '%-6s %s\n' round 'lvsd reload.applied (ms: total parse vrrp lvs ipvs)'
  for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then cp "$big2" "$live"; else cp "$big" "$live"; fi
    lines=$(wc -l < "$work/lvsd.log")
    kill -HUP "$main"
    printf '%-6s %s\n' "$round" "$(own_report "$lines")"
    sleep 2
  done
  kill -TERM "$main"; wait "$main" 2>/dev/null || true
  [ -z "${LOGS:-}" ] || cp "$work/lvsd.log" "$LOGS/$(date +%s)-lvsd-host.log"
  exit 0
fi

# one SIGHUP of daemon $1 (pid $main) with the weight $2 expected: sets r_ms (signal -> visible)
# and r_own (lvsd's own report and steps; "-" for keepalived)
measure_reload() {
  local d=$1 w=$2 lines h_at v_at
  lines=$(wc -l < "$work/$d.log")
  sighup_poll "$main" "$RELOAD_RS" "$w" 300 > "$work/poll.out" # (the guest has no /dev/fd for <(...))
  read -r h_at v_at np_ms npolls < "$work/poll.out"
  if [ "$v_at" = timeout ]; then r_ms=timeout; else r_ms=$(awk -v a="$h_at" -v b="$v_at" 'BEGIN { printf "%.0f", b - a }'); fi
  r_own=-
  if [ "$d" != keepalived ]; then
    r_own=$(own_report "$lines" "$work/$d.log")
    [ "$v_at" = timeout ] || r_own="$r_own | $(steps "$lines" "$work/$d.log" "$h_at" "$v_at")"
  fi
}

[[ " $PHASES " == *" reload "* ]] || exit 0
echo "# reload: $RELOAD_RS real servers, 1% weights changed, SIGHUP"
printf '%-6s %-11s %12s %12s %12s %s\n' round daemon 'reload ms' 'VIP deletes' 'loadavg(VM)' 'lvsd reload.applied (ms: total parse vrrp lvs ipvs)'
for round in $(seq "$ROUNDS"); do
  for d in $daemons; do
    [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $d "* ]] || continue
    cp "$big" "$live"
    start "$d" "$live"
    t_fill=$(now_ms)
    wait_filled "$RELOAD_RS" "${FILL_TIMEOUT:-900}" || { echo "$d: table not filled" >&2; tail -20 "$work/$d.log" >&2; }
    filled=$(( $(now_ms) - t_fill ))
    marks=""
    if [ "$d" != keepalived ]; then # where lvsd's share of it went: start-up to daemon.start, then the first apply
      marks=$(node -e '
        const t0 = Number(process.argv[1]); const at = {};
        for (const l of require("fs").readFileSync(process.argv[2], "utf8").split("\n")) {
          try { const r = JSON.parse(l); if ((r.event === "daemon.start" || r.event === "ipvs.apply") && !(r.event in at)) at[r.event] = r.time - t0; } catch {}
        }
        process.stdout.write(` (daemon.start +${at["daemon.start"]} ms, first ipvs.apply done +${at["ipvs.apply"]} ms)`);' "$t_fill" "$work/$d.log")
    fi
    echo "$d: $RELOAD_RS real servers in IPVS after $filled ms$marks" >&2
    # every VRRP instance MASTER (VIPs in place) before the reload
    for _ in $(seq 300); do [ "$(ip -n "$ns" -o addr show dev veth0 | grep -c '10\.98\.1\.')" -ge 10 ] && break; sleep 0.1; done
    sleep 3
    # PRE_HUPS=N (lvsd only): N SIGHUPs with the unchanged file first, 1 s apart (what a no-op reload warms)
    if [ "$d" = lvsd ]; then for _ in $(seq "${PRE_HUPS:-0}"); do kill -HUP "$main"; sleep 1; done; fi
    ip -n "$ns" -o monitor address > "$work/mon.log" 2>&1 &
    mon=$!; pids+=("$mon"); sleep 0.5
    pc=$(poll_cost "$RELOAD_RS")
    write_conf "$big2"
    lines=$(wc -l < "$work/$d.log")
    measure_reload "$d" 2
    ms=$r_ms
    own="$r_own | poll ${np_ms} ms x $npolls (ipvsadm poll $pc ms)"
    sleep 3 # a flap after the weights landed still counts
    kill "$mon" 2>/dev/null || true
    [ -z "${VERBOSE:-}" ] || {
      echo "$d log before the signal, by event:" >&2
      head -n "$lines" "$work/$d.log" | grep -o '"event":"[^"]*"' | sort | uniq -c >&2 || true
      echo "$d log since the signal, by event:" >&2
      tail -n +"$((lines + 1))" "$work/$d.log" | grep -o '"event":"[^"]*"' | sort | uniq -c >&2 || true
      tail -n +"$((lines + 1))" "$work/$d.log" | grep -v '"event":"check\.\|"event":"lvs\.\|TCP connection' | cut -c1-300 | head -20 >&2 || true
    }
    printf '%-6s %-11s %12s %12s %12s %s\n' "$round" "$d" "$ms" "$(grep -c Deleted "$work/mon.log" || true)" "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" "${own:--}"
    # RELOADS=N: N-1 more SIGHUPs to the same daemon, WARM s apart, weights back and forth (rows round.k)
    for k in $(seq 2 "${RELOADS:-1}"); do
      sleep "${RELOAD_GAP:-5}"
      if [ $((k % 2)) = 0 ]; then write_conf "$big"; w=1; else write_conf "$big2"; w=2; fi
      measure_reload "$d" "$w"
      printf '%-6s %-11s %12s %12s %12s %s\n' "$round.$k" "$d" "$r_ms" - "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" "$r_own | poll ${np_ms} ms x $npolls"
    done
    stop
  done
done
