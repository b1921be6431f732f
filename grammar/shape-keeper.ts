// The last object of each per-load shape, kept until the next one is made. Optimised code checks
// the maps of the objects it reads, and holds those maps weakly: when every reader, include frame
// or cache builder of a load has died, a major GC may drop their maps (the ones a class's fields
// or a literal's later fields transition to) and, with them, every optimised function that checked
// one ("weak objects" in --trace-deopt). The next load then made new maps, and a SIGHUP parsed
// with its reader code unoptimised: in the TCG VM the second SIGHUP's parse took 137-203 ms where
// the first took 24. One live object of a shape keeps its map. What it holds is what its load held,
// until the next load replaces it.

const kept = new Map<string, object>();

/** Keeps `o` (and so its map) until another object is kept under `shape`. */
export function keepShape(shape: string, o: object): void {
  kept.set(shape, o);
}

/** the object kept under `shape` (tests) */
export function keptShape(shape: string): object | undefined {
  return kept.get(shape);
}
