/** Defaults of the deploy gate. */
export const GATE_DEFAULTS = {
  /** Reward per impression the candidate may be worse by, besides the relative margin. */
  tolerance: 0,
  /**
   * Share of the serving value the candidate may be worse by (the margin the interval is held to).
   * Why 3% and not the 5% the world suite's confusion table classes "worse" at: the estimate
   * shrinks differences toward 0 (the blended lift prior leans low; Δ̂ ÷ Δ median 0.65–0.74 on
   * kept world runs), so a 5% margin on Δ̂ let through candidates truly 6–10% worse. Replayed on
   * 266 gate decisions of kept runs (5 families, 11 seeds, worst-first and reversed plants,
   * `npm run bench:gate`), candidates truly worse by > 5% published at margin 5% / 3% / 2%: 7 / 4
   * / 3 of 49; truly better by > 5% rejected: 0 / 0 / 1 of 171. Live on unseen seeds (10 runs):
   * at 3%, 1 of 24 worse published and 1 of 37 better rejected (truly +5.2%); 5% would have
   * published 2 and rejected none. A rejection costs a round; a bad publish serves a worse
   * ranking for one (docs/architecture.md).
   */
  relativeMargin: 0.03,
  /**
   * Fewer effective samples than this: the reason says the log barely covers the candidate and
   * the reward model carries the estimate (the rule is the same). A re-ranked candidate matches
   * few logged (item, position) pairs, so its ESS is often 5–20 impressions.
   */
  minEss: 3,
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
  /** Fewer logged impressions than this: the gate passes and says so (an interval would be noise). */
  minImpressions: 200,
} as const;
