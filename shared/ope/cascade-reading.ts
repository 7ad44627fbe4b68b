/**
 * Reading under a cascade: the reader starts at the top, clicks an item she reads with its
 * attraction a, stops after a click with probability `stop`, and otherwise reads on from l to
 * l + 1 with probability g_l — the world suite's cascade (reach_{l+1} = reach_l · (1 − stop · a_l)
 * · e_{l+1}/e_l) and the dependent click model of the literature (Guo, Liu & Wang 2009, "Efficient
 * multiple-click models in web search", WSDM).
 */
export interface CascadeReading {
  /** e_l: reading at l with nothing clicked above (e_0 = 1; the chance of reading the top is in the attractions). */
  read: number[];
  /** The chance of stopping after a click. */
  stop: number;
}

/** A logged slot as the cascade fit reads it (slots of a slate in position order). */
export interface CascadeSlot {
  /** The slot's stratum: items of one stratum share one attraction (`fitCascade`). */
  stratum: string;
  clicked: boolean;
}

/**
 * The reading a click above leaves (base appeal's `stopFactors` ρ_1; 1 − the stop of `fitCascade`)
 * at or below which readers are taken to stop after clicks: above it a click above is taken to
 * take nothing off, and reading is position-based (base appeal's curve of every slot, the gate's
 * reward model before stops). Why a threshold: where reading does not depend on
 * clicks (the world suite's position-based families) the fitted factor still came out at 0.83–1.0
 * in every trained version of a closed-loop run (seeds 551–553), and taking it moved those
 * families' round 5 by −0.016 to +0.018 of the oracle — noise around nothing; under cascade
 * reading (half the readers stop after a click) it came out at 0.44–0.58 from round 3 on (0.83–0.85
 * at round 2, with the bootstrap's random slates most of the data). 0.7 sits between the two.
 */
export const STOP_MATERIAL = 0.7;

/**
 * Fits a cascade's reading (e, stop) and each stratum's attraction to logged slates by EM on the
 * cascade's exact likelihood: the reading state is the hidden part — certain down to the last
 * click, after it either stopped at that click, left later, or read to the end without clicking,
 * each weighed by its likelihood. Strata are what the exploration made comparable (`slateCells`'
 * ranks per logging version, and each version's pool): a personalised ranking shows an item high
 * to the users who like it, so items as strata would read that as reading falling faster than it
 * does (`examinationCurve`). The stop is identified by the clicks themselves — how often reading
 * goes on below a click against below a skipped slot.
 *
 * Why not the curve of the slots with nothing clicked above and a factor per click above (base
 * appeal's `stopFactors`): that curve is reading given no click above, and no click above is
 * evidence the reader left early; it falls faster than reading (a seeded cascade with stop 0.5:
 * 0.22 of the top at position 5, truly 0.44). Priced as a slate's reading by position with the
 * cascade's stops on top, a slate the log never showed came out 11–12% below its truth.
 * @param slates each slate's slots in position order
 * @returns null when no stratum was clicked at two positions (nothing ties positions together)
 */
export function fitCascade(slates: readonly (readonly CascadeSlot[])[], maxIterations = 200, tolerance = 1e-5): { reading: CascadeReading; rates: Map<string, number> } | null {
  const strata = new Map<string, number>();
  const positions = slates.reduce((m, s) => Math.max(m, s.length), 0);
  const slot = slates.map((s) => s.map((it) => strata.get(it.stratum) ?? (strata.set(it.stratum, strata.size), strata.size - 1)));
  const clicks = new Float64Array(strata.size);
  const clickedAt = new Map<number, Set<number>>();
  slates.forEach((s, j) =>
    s.forEach((it, l) => {
      if (!it.clicked) return;
      clicks[slot[j]![l]!]!++;
      let at = clickedAt.get(slot[j]![l]!);
      if (!at) clickedAt.set(slot[j]![l]!, (at = new Set()));
      at.add(l);
    }),
  );
  if (![...clickedAt.values()].some((at) => at.size >= 2)) return null;
  let a = Float64Array.from(clicks, (c) => Math.min(0.9, Math.max(1e-3, c / slates.length)));
  let g = new Float64Array(Math.max(0, positions - 1)).fill(0.9);
  let stop = 0.3;
  const pre = new Float64Array(positions + 1);
  const tail = new Float64Array(positions + 1);
  for (let it = 0; it < maxIterations; it++) {
    const reads = new Float64Array(strata.size);
    const goOn = new Float64Array(g.length);
    const stay = new Float64Array(g.length);
    let stops = 0;
    let chances = 0;
    slates.forEach((s, j) => {
      const k = slot[j]!;
      const L = s.length;
      let last = -1;
      s.forEach((x, l) => x.clicked && (last = l));
      // Down to the last click the reader read every slot and went on past each (no stop).
      for (let l = 0; l < last; l++) {
        reads[k[l]!]!++;
        goOn[l]!++;
        stay[l]!++;
        if (s[l]!.clicked) chances++;
      }
      if (last >= 0) reads[k[last]!]!++;
      if (last === L - 1) return;
      // After it: reading at last + 1 (if it got there), then no click to the end. pre_m: reading
      // m with no click in between; leaving at m: read m, no click, no going on.
      const from = last + 1;
      pre[from] = 1;
      for (let m = from; m < L; m++) pre[m + 1] = pre[m]! * (1 - a[k[m]!]!) * (m < L - 1 ? g[m]! : 0);
      tail[L] = 0;
      for (let m = L - 1; m >= from; m--) tail[m] = tail[m + 1]! + pre[m]! * (1 - a[k[m]!]!) * (m < L - 1 ? 1 - g[m]! : 1);
      const w = tail[from]!;
      let reach = 1;
      if (last >= 0) {
        const e = { stop, leave: (1 - stop) * (1 - g[last]!), on: (1 - stop) * g[last]! * w };
        const z = e.stop + e.leave + e.on;
        reach = e.on / z;
        stops += e.stop / z;
        chances++;
        stay[last]! += (e.leave + e.on) / z;
        goOn[last]! += reach;
      }
      for (let m = from; m < L; m++) {
        const p = w > 0 ? (reach * tail[m]!) / w : 0;
        reads[k[m]!]! += p;
        if (m < L - 1) {
          stay[m]! += p;
          goOn[m]! += w > 0 ? (reach * tail[m + 1]!) / w : 0;
        }
      }
    });
    const nextA = Float64Array.from(a, (x, q) => (reads[q]! > 0 ? Math.min(1 - 1e-6, Math.max(1e-6, clicks[q]! / reads[q]!)) : x));
    const nextG = Float64Array.from(g, (x, l) => (stay[l]! > 0 ? Math.min(1, Math.max(1e-3, goOn[l]! / stay[l]!)) : x));
    const nextStop = chances > 0 ? Math.min(1, stops / chances) : stop;
    let moved = Math.abs(nextStop - stop);
    nextG.forEach((x, l) => (moved = Math.max(moved, Math.abs(x - g[l]!))));
    a = nextA;
    g = nextG;
    stop = nextStop;
    if (moved < tolerance) break;
  }
  const read = [1];
  for (const x of g) read.push(read.at(-1)! * x);
  return { reading: { read, stop }, rates: new Map([...strata.keys()].map((key, q) => [key, a[q]!])) };
}

/**
 * Whether a cascade fit (`fitCascade`) is the reading to take for these slates: its stop is
 * material (≥ 1 − `STOP_MATERIAL`) and their clicks are likelier under it than under reading by
 * position with the curve `read` (`positionLogLikelihood`; null: no curve to set beside it). One
 * rule for the deploy gate's reward model and the batch tier's base appeal.
 * Why the likelihood too: a chain of reading explains position-based clicks with a stop as well —
 * a bootstrap round of the position-based pbm-deep world fitted a stop of 0.33 on one fold — and
 * the clicks tell the two apart (seeded, 20,000 slates: position-based logs −78 and −98 in
 * log-likelihood for the cascade, chains of reading with stop 0–0.5 +913 to +1,356).
 */
export function cascadeTaken(slates: readonly (readonly CascadeSlot[])[], fit: { reading: CascadeReading; rates: ReadonlyMap<string, number> }, read: readonly number[] | null): boolean {
  return fit.reading.stop >= 1 - STOP_MATERIAL && (!read || cascadeLogLikelihood(slates, fit) > positionLogLikelihood(slates, read));
}

/**
 * Reading at each slot of one slate given the clicks above it (b_l = P(read l | clicks above)),
 * under a fitted cascade and the slots' attractions: b_0 = 1; below a click b_{l+1} = (1 − stop) ·
 * g_l; below a skipped slot b_{l+1} = g_l · b_l (1 − a_l) / (1 − b_l a_l), the chance the reader was
 * still there given she did not click.
 */
export function readingGivenAbove(reading: CascadeReading, attractions: readonly number[], clicked: readonly boolean[]): number[] {
  const out: number[] = [];
  let b = 1;
  attractions.forEach((a, l) => {
    out.push(b);
    const g = l + 1 < reading.read.length ? reading.read[l + 1]! / reading.read[l]! : 1;
    b = clicked[l] ? (1 - reading.stop) * g : (g * b * (1 - a)) / Math.max(1e-12, 1 - b * a);
  });
  return out;
}

/**
 * Log-likelihood of the slates' clicks under a fitted cascade (`fitCascade`): Σ log P(click or not
 * at l | the clicks above), the reading given the clicks above by `readingGivenAbove`, each slot's
 * attraction its stratum's.
 */
export function cascadeLogLikelihood(slates: readonly (readonly CascadeSlot[])[], fit: { reading: CascadeReading; rates: ReadonlyMap<string, number> }): number {
  let ll = 0;
  for (const s of slates) {
    const a = s.map((it) => fit.rates.get(it.stratum) ?? 0);
    const b = readingGivenAbove(fit.reading, a, s.map((it) => it.clicked));
    s.forEach((it, l) => (ll += bernoulli(it.clicked, b[l]! * a[l]!)));
  }
  return ll;
}

/**
 * Log-likelihood of the slates' clicks under position-based reading — each slot read with e_l
 * whatever was clicked above, its stratum's attraction the one that maximises it given e — to set
 * beside the cascade's (`cascadeLogLikelihood`).
 * @param read e_l, as `examinationCurve` gives it
 */
export function positionLogLikelihood(slates: readonly (readonly CascadeSlot[])[], read: readonly number[]): number {
  const e = (l: number) => read[l] ?? read.at(-1) ?? 1;
  const strata = new Map<string, { clicked: number[]; missed: number[] }>();
  for (const s of slates) {
    s.forEach((it, l) => {
      let st = strata.get(it.stratum);
      if (!st) strata.set(it.stratum, (st = { clicked: [], missed: [] }));
      (it.clicked ? st.clicked : st.missed).push(e(l));
    });
  }
  let ll = 0;
  for (const st of strata.values()) {
    // The rate a maximising Σ_clicked log(e a) + Σ_missed log(1 − e a): the root of
    // C / a = Σ_missed e / (1 − e a), which falls in a, on (0, 1 / max e) (bisection).
    const top = [...st.clicked, ...st.missed].reduce((m, x) => Math.max(m, x), 0);
    let lo = 0;
    let hi = 1 / top;
    if (st.missed.length === 0) lo = hi;
    else if (st.clicked.length === 0) hi = 0;
    for (let it = 0; it < 50 && hi > lo; it++) {
      const a = (lo + hi) / 2;
      const f = st.clicked.length / a - st.missed.reduce((acc, x) => acc + x / (1 - x * a), 0);
      if (f > 0) lo = a;
      else hi = a;
    }
    const a = (lo + hi) / 2;
    for (const x of st.clicked) ll += bernoulli(true, x * a);
    for (const x of st.missed) ll += bernoulli(false, x * a);
  }
  return ll;
}

function bernoulli(clicked: boolean, p: number): number {
  const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
  return clicked ? Math.log(q) : Math.log(1 - q);
}
