// The real servers of a virtual server by address and port, for the reload's real-server pass
// (virtual-server.ts): a lookup by the address string as it is (its hash computed once, no key
// string built per lookup), the port compared beside it; only an address with several ports
// gets `port addr` keys (the case of one service on many ports of one host).

export class ServerKeys {
  /** address -> index of the one real server with it, or -1 when several have it (see multi) */
  private readonly byAddr = new Map<string, number>();
  /** index -> its port */
  private readonly ports: number[] = [];
  private multi: Map<string, number> | null = null;

  /** real server `i` has this address and port (no two are added with both the same) */
  add(addr: string, port: number, i: number): void {
    this.ports[i] = port;
    const e = this.byAddr.get(addr);
    if (e === undefined) {
      this.byAddr.set(addr, i);
      return;
    }
    const multi = (this.multi ??= new Map());
    if (e >= 0) {
      multi.set(`${this.ports[e]} ${addr}`, e);
      this.byAddr.set(addr, -1);
    }
    multi.set(`${port} ${addr}`, i);
  }

  /** the index of the real server with this address and port, or undefined */
  find(addr: string, port: number): number | undefined {
    const e = this.byAddr.get(addr);
    if (e === undefined) return undefined;
    if (e >= 0) return this.ports[e] === port ? e : undefined;
    return this.multi?.get(`${port} ${addr}`);
  }
}
