// GNU getopt_long (glibc) as genhash uses it: optstring with a leading ':',
// argument permutation (non-options are moved after the options, so
// "Unexpected argument(s)" lists them in order), unique-prefix long options,
// "--name=value", "--" and POSIXLY_CORRECT. keepalived's error messages quote
// argv[optind-before-the-call] of the permuted array, so the permutation is
// reproduced step by step, not just its end result.

export interface LongOption {
  readonly name: string;
  readonly hasArg: boolean;
  /** The short option character this long option stands for. */
  readonly val: string;
  /** Extensions beyond keepalived match only when spelled out in full, so abbreviations resolve as they do there. */
  readonly exactOnly?: boolean;
}

export type GetoptEvent =
  | { readonly kind: 'option'; readonly val: string; readonly arg: string | null; readonly curArg: string }
  /** getopt returned '?': optopt is '' for unknown/ambiguous long options. */
  | { readonly kind: 'unknown'; readonly optopt: string; readonly curArg: string }
  /** getopt returned ':'. */
  | { readonly kind: 'missing'; readonly optopt: string; readonly longName: string | null; readonly curArg: string };

export interface GetoptSpec {
  /** Short options, e.g. "hvs:" (a leading ':' is implied). */
  readonly shorts: string;
  readonly longs: readonly LongOption[];
  /** Stop at the first non-option (POSIXLY_CORRECT). */
  readonly requireOrder?: boolean;
}

/**
 * Parse argv (without the program name). The callback gets each event in
 * order and returns false to stop (like returning from the C loop). The result
 * lists the operands left after the options.
 */
export function getoptLong(
  args: readonly string[],
  spec: GetoptSpec,
  onEvent: (e: GetoptEvent) => boolean,
): { readonly operands: readonly string[]; readonly stopped: boolean } {
  const argv = ['', ...args];
  const argc = argv.length;
  let optind = 1;
  let firstNonopt = 1;
  let lastNonopt = 1;
  let nextchar = '';
  const isNonOption = (s: string): boolean => s[0] !== '-' || s.length === 1;

  // Rotate argv[first, optind) so the options [last, optind) come first.
  const exchange = (): void => {
    const nonopts = argv.slice(firstNonopt, lastNonopt);
    const opts = argv.slice(lastNonopt, optind);
    argv.splice(firstNonopt, optind - firstNonopt, ...opts, ...nonopts);
    firstNonopt += optind - lastNonopt;
    lastNonopt = optind;
  };

  for (let guard = 0; guard <= 4 * argc + 4; guard++) {
    const curind = optind;
    const cur = (): string => argv[curind] ?? '';
    let ev: GetoptEvent | null = null;

    if (nextchar === '') {
      if (lastNonopt > optind) lastNonopt = optind;
      if (firstNonopt > optind) firstNonopt = optind;
      if (!spec.requireOrder) {
        if (firstNonopt !== lastNonopt && lastNonopt !== optind) exchange();
        else if (lastNonopt !== optind) firstNonopt = optind;
        while (optind < argc && isNonOption(argv[optind])) optind++;
        lastNonopt = optind;
      }
      if (optind !== argc && argv[optind] === '--') {
        optind++;
        if (firstNonopt !== lastNonopt && lastNonopt !== optind) exchange();
        else if (firstNonopt === lastNonopt) firstNonopt = optind;
        lastNonopt = argc;
        optind = argc;
      }
      if (optind === argc) {
        if (firstNonopt !== lastNonopt) optind = firstNonopt;
        return { operands: argv.slice(optind), stopped: false };
      }
      if (isNonOption(argv[optind])) {
        // Only reachable with requireOrder.
        return { operands: argv.slice(optind), stopped: false };
      }
      if (argv[optind].startsWith('--')) {
        ev = longOption(argv[optind].slice(2));
      } else {
        nextchar = argv[optind].slice(1);
      }
    }

    if (ev === null) {
      const c = nextchar[0];
      nextchar = nextchar.slice(1);
      if (nextchar === '') optind++;
      const at = spec.shorts.indexOf(c);
      if (at < 0 || c === ':' || c === ';') {
        ev = { kind: 'unknown', optopt: c, curArg: '' };
      } else if (spec.shorts[at + 1] === ':') {
        if (nextchar !== '') {
          ev = { kind: 'option', val: c, arg: nextchar, curArg: '' };
          optind++;
        } else if (optind === argc) {
          ev = { kind: 'missing', optopt: c, longName: null, curArg: '' };
        } else {
          ev = { kind: 'option', val: c, arg: argv[optind], curArg: '' };
          optind++;
        }
        nextchar = '';
      } else {
        ev = { kind: 'option', val: c, arg: null, curArg: '' };
      }
    }
    if (!onEvent({ ...ev, curArg: cur() })) return { operands: [], stopped: true };
  }
  return { operands: [], stopped: true };

  function longOption(body: string): GetoptEvent {
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    let found: LongOption | undefined = spec.longs.find((o) => o.name === name);
    if (found === undefined) {
      const partial = spec.longs.filter((o) => !o.exactOnly && o.name.startsWith(name));
      if (partial.length > 1) {
        optind++;
        return { kind: 'unknown', optopt: '', curArg: '' };
      }
      found = partial[0];
    }
    optind++;
    if (found === undefined) return { kind: 'unknown', optopt: '', curArg: '' };
    if (eq >= 0) {
      if (!found.hasArg) return { kind: 'unknown', optopt: found.val, curArg: '' };
      return { kind: 'option', val: found.val, arg: body.slice(eq + 1), curArg: '' };
    }
    if (!found.hasArg) return { kind: 'option', val: found.val, arg: null, curArg: '' };
    if (optind < argc) return { kind: 'option', val: found.val, arg: argv[optind++], curArg: '' };
    return { kind: 'missing', optopt: found.val, longName: found.name, curArg: '' };
  }
}
