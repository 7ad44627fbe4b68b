/**
 * Whose taste the gate's reward model prices the pairs the logs never showed with
 * (`fitItemPositionModel`): the mean of the two versions' ('both'), the candidate's, or none (the
 * item's lift). One list for the type, the config and the benchmark's flag.
 */
export const TASTE_MODES = ['both', 'candidate', 'none'] as const;
export type TasteMode = (typeof TASTE_MODES)[number];

/** Defaults of the deploy gate. */
export const GATE_DEFAULTS = {
  /** Reward per impression the candidate may be worse by, besides the relative margin. */
  tolerance: 0,
  /**
   * Share of the serving value the candidate may be worse by (the margin the interval is held to).
   * The target is two-sided at 5% of the serving value (publish what is truly better by more,
   * reject what is truly worse by more); a margin at 5% leaves the estimate no room to run high on
   * a worse candidate, and since the gate takes no taste while the serving version has none it
   * runs high more than low: real candidates' error ÷ the serving value +0.006 to +0.049 on
   * average by family (rounds 2–5 of world runs on seeds 551–557). Halfway, 2.5%: on those runs'
   * recorded estimates and the replays of 551–554 (256 decisions) reversed copies truly worse by
   * > 5% were published 2 instead of 5 of 53, and no verdict on the 128 real candidates changed
   * (the lowest read +0.4% of the serving value); truly better copies rejected 4 of 36 either way
   * (read 5–10% low, below any margin). 3% was tried two releases of the gate back and rejected
   * three real candidates truly 5–8% better that the estimate then read 3–5% low
   * (docs/architecture.md, "Why 2.5%").
   */
  relativeMargin: 0.025,
  /**
   * Fewer effective samples than this: the reason says the log barely covers the candidate and
   * the reward model carries the estimate (the rule is the same). A re-ranked candidate matches
   * few logged (item, position) pairs, so its ESS is often 5–20 impressions.
   */
  minEss: 3,
  /**
   * Below this share of logged slots shown with a propensity under 1, the logs hold (next to) no
   * exploration: they can value what they showed and nothing else, so every estimate of another
   * version is the reward model's extrapolation (ε = 0, the lock-in case). The verdict is
   * then `undecided` — with `--canary` the candidate goes out as a canary. Why not an ESS bar: a
   * re-ranked candidate's ESS is 1–40 impressions of thousands under ordinary exploration too
   * (world runs), so no ESS level tells "no exploration" from "another ranking".
   */
  minRandomised: 0.01,
  /**
   * λ of the doubly robust correction (`slateDr`): a logged slot weighs at most this much. Ranked
   * items the two versions share have w ≈ 1 (up to ≈ 10 when an explored slot above shifted
   * them); items the log showed only by exploring have w in the hundreds and lean on the model.
   * Why 5 and not more: the candidate was trained on these logs. Where its weight is large it
   * ranks items the log showed only by exploring, often *because* they were clicked there, so its
   * weights and the residuals are correlated and weighting them up adds the training data's luck
   * to Δ̂ (a winner's curse): in a sparse-world run at λ = 20 the correction added +0.43 clicks per
   * slate to a candidate the model valued at 1.06 (truly +0.15 better). Replayed on kept world runs
   * (`npm run bench:gate -- DIR --clip λ`), mean absolute error ÷ the serving value for λ = 20 / 5 /
   * 1: 0.096 / 0.054 / 0.049 on the README's 15 runs (56 gate runs), 0.120 / 0.075 / 0.065 on 10
   * runs with reversed plants (worse plants published 11 / 9 / 8 of 27), no truly better candidate
   * rejected at any λ. Why not 1: under heavy exploration large weights are information, not only
   * luck — with uniformly random logs (the integration test) and λ ≤ 3 the gate no longer
   * rejected a candidate with every ranking reversed.
   */
  clip: 5,
  /** The newest impressions evaluated. */
  maxImpressions: 20_000,
  /**
   * Whose taste prices the pairs the logs never showed (`TasteMode` of ope-gate.ts): the two
   * versions' mean taste, in logit space (`tasteLift`); none while the serving version has no
   * taste (`gateTaste`: the candidate's alone prices its own picks' luck). On the world suite's
   * kept runs it read candidates closer to the truth (mean error ÷ the serving value +0.001
   * against −0.035 with none, mean absolute 0.045 against 0.052, 56 candidates; the demo's world
   * −0.019 against −0.049) with the same decisions, and live with mildly worse planted copies it published none of 11
   * (docs/architecture.md). 'none' is the item-level model of the releases before.
   */
  taste: 'both' as TasteMode,
  /**
   * Share of the gate's window (the newest `maxImpressions`) that no per-user learning reads and the
   * gate judges both versions on (`inEvalSlice`, gpu-batch/dataset/eval-slice.ts); 0, the default:
   * none, the gate reads the logs the candidate's users' lists learnt from. What the slice removes
   * is real — a user's list that memorises that user's clicks matches the logged slots at w ≈ 1,
   * below any clip (+67–73% for a truly level candidate in a seeded test) — and with 0.2 the world
   * suite's table (seeds 551–553, 15 runs) published no truly worse copy (0 of 29). But judged on
   * logs its lists never saw, a re-ranking leans on the reward model, which prices moving items
   * away from their logged slots as a loss: truly better copies rejected 9 of 14 (2 of 13 without
   * the slice) and one real candidate, drift +8.2% read −8.4%; and sparse users' 1–2 visits lose a
   * fifth of what their lists learn from (sparse round 5 ÷ the best list 0.968 against 0.996). So
   * it is the operator's choice of a gate that errs towards keeping the serving version
   * (docs/architecture.md, "The evaluation slice").
   */
  slice: 0,
  /** Fewer logged impressions than this: the gate passes and says so (an interval would be noise). */
  minImpressions: 200,
} as const;
