/**
 * Solves A X = B for symmetric positive-definite A (n × n, row-major) by Cholesky, A = L Lᵀ.
 * Small dense systems only (ridge regressions of a few hundred features).
 * @param a n × n, row-major (not modified)
 * @param b n × m, row-major (not modified)
 * @returns X, n × m row-major
 * @throws RangeError when A is not positive definite
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number, m: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`matrix is not positive definite at row ${i}`);
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  const x = new Float64Array(n * m);
  for (let c = 0; c < m; c++) {
    // L y = b, then Lᵀ x = y.
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = b[i * m + c]!;
      for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
      y[i] = s / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k * m + c]!;
      x[i * m + c] = s / l[i * n + i]!;
    }
  }
  return x;
}
