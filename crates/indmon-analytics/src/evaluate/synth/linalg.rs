//! Small dense linear algebra for the synthetic control: a Cholesky solve and the
//! cyclic Jacobi eigen-decomposition of a symmetric matrix. Matrices are row-major
//! `Vec<f64>` of size `n × n`; the problems are tiny (tens of donors).

/// Solves `A x = b` for a symmetric positive-definite `A` (row-major, `n × n`) by
/// Cholesky factorisation `A = L Lᵀ`. Returns `None` when a pivot is not above
/// `tol · max(diag A)` (the matrix is singular or indefinite at that tolerance).
pub(crate) fn cholesky_solve(a: &[f64], b: &[f64], n: usize, tol: f64) -> Option<Vec<f64>> {
    let scale = (0..n).map(|i| a[i * n + i].abs()).fold(0.0_f64, f64::max);
    let floor = tol * scale.max(f64::MIN_POSITIVE);
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s <= floor {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * y[k];
        }
        y[i] = s / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let mut s = y[i];
        for k in i + 1..n {
            s -= l[k * n + i] * x[k];
        }
        x[i] = s / l[i * n + i];
    }
    Some(x)
}

/// Eigenvalues and eigenvectors of a symmetric matrix by the cyclic Jacobi method
/// (Golub & Van Loan, *Matrix Computations*, §8.5). Returns `(values, vectors)` with
/// the eigenvector of `values[k]` in column `k` of `vectors` (row-major `n × n`).
pub(crate) fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum();
        let total: f64 = m.iter().map(|x| x * x).sum();
        if off <= 1e-30 * total.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (m[q * n + q] - m[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let mkp = m[k * n + p];
                    let mkq = m[k * n + q];
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let mpk = m[p * n + k];
                    let mqk = m[q * n + k];
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| m[i * n + i]).collect(), v)
}

/// Solves `A x = b` for a general square `A` by Gaussian elimination with partial
/// pivoting; `None` when `A` is singular to working precision.
pub(crate) fn solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut m = a.to_vec();
    let mut x = b.to_vec();
    let scale = m.iter().map(|v| v.abs()).fold(0.0_f64, f64::max);
    for col in 0..n {
        let piv =
            (col..n).max_by(|&i, &j| m[i * n + col].abs().total_cmp(&m[j * n + col].abs()))?;
        if m[piv * n + col].abs() <= 1e-14 * scale {
            return None;
        }
        if piv != col {
            for k in 0..n {
                m.swap(piv * n + k, col * n + k);
            }
            x.swap(piv, col);
        }
        for i in col + 1..n {
            let f = m[i * n + col] / m[col * n + col];
            if f != 0.0 {
                for k in col..n {
                    m[i * n + k] -= f * m[col * n + k];
                }
                x[i] -= f * x[col];
            }
        }
    }
    for i in (0..n).rev() {
        let mut s = x[i];
        for k in i + 1..n {
            s -= m[i * n + k] * x[k];
        }
        x[i] = s / m[i * n + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_reconstructs() {
        let a = [4.0, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0, 0.5, 5.0];
        let (vals, vecs) = symmetric_eigen(&a, 3);
        for i in 0..3 {
            for j in 0..3 {
                let r: f64 = (0..3)
                    .map(|k| vecs[i * 3 + k] * vals[k] * vecs[j * 3 + k])
                    .sum();
                assert!((r - a[i * 3 + j]).abs() < 1e-10);
            }
        }
    }

    #[test]
    fn solvers_agree() {
        let a = [4.0, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0, 0.5, 5.0];
        let b = [1.0, 2.0, 3.0];
        let x = cholesky_solve(&a, &b, 3, 1e-12).unwrap();
        let y = solve(&a, &b, 3).unwrap();
        for i in 0..3 {
            assert!((x[i] - y[i]).abs() < 1e-12);
            let r: f64 = (0..3).map(|k| a[i * 3 + k] * x[k]).sum();
            assert!((r - b[i]).abs() < 1e-12);
        }
        assert!(cholesky_solve(&[1.0, 1.0, 1.0, 1.0], &[1.0, 1.0], 2, 1e-12).is_none());
    }
}
