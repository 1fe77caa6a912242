//! The linear step of the fit: a small quadratic programme with sign constraints.

use nalgebra::{DMatrix, DVector};

/// Minimises `½ βᵀAβ − bᵀβ` subject to `β_j ≥ 0` wherever `nonneg[j]`.
///
/// `A` must be symmetric positive definite (the fit adds a ridge, so it is). This is the
/// Lawson–Hanson active-set method written for a quadratic objective: free variables are solved
/// exactly on the current passive set by Cholesky, and a variable leaves the passive set when the
/// step towards the unconstrained solution would make it negative. Returns `None` only if a
/// sub-problem is numerically singular.
pub(crate) fn solve_nonneg_qp(
    a: &DMatrix<f64>,
    b: &DVector<f64>,
    nonneg: &[bool],
) -> Option<DVector<f64>> {
    let p = b.len();
    let all: Vec<usize> = (0..p).collect();
    // The common case: the unconstrained optimum already satisfies the signs.
    let x = solve_subset(a, b, &all)?;
    if (0..p).all(|j| !nonneg[j] || x[j] >= 0.0) {
        return Some(x);
    }

    let mut passive: Vec<bool> = nonneg.iter().map(|c| !c).collect();
    let mut x = solve_on(a, b, &passive)?;
    let scale = b.amax().max(1e-300);
    let tol = 1e-12 * scale;
    for _ in 0..3 * p + 3 {
        // Negative gradient: how much each clamped variable would lower the objective.
        let w = b - a * &x;
        let entering = (0..p)
            .filter(|&j| nonneg[j] && !passive[j] && w[j] > tol)
            .max_by(|&i, &j| w[i].total_cmp(&w[j]));
        let Some(j) = entering else { return Some(x) };
        passive[j] = true;
        for _ in 0..3 * p + 3 {
            let z = solve_on(a, b, &passive)?;
            let blocking: Vec<usize> =
                (0..p).filter(|&j| nonneg[j] && passive[j] && z[j] <= 0.0).collect();
            if blocking.is_empty() {
                x = z;
                break;
            }
            let alpha = blocking
                .iter()
                .map(|&j| {
                    let denom = x[j] - z[j];
                    if denom > 0.0 { x[j] / denom } else { 0.0 }
                })
                .fold(1.0f64, f64::min);
            x += (z - &x) * alpha;
            for j in 0..p {
                if nonneg[j] && passive[j] && x[j] <= tol.min(1e-14) {
                    passive[j] = false;
                    x[j] = 0.0;
                }
            }
        }
    }
    Some(x)
}

/// Solves the sub-problem on the variables marked in `on`, holding the rest at zero.
fn solve_on(a: &DMatrix<f64>, b: &DVector<f64>, on: &[bool]) -> Option<DVector<f64>> {
    let idx: Vec<usize> = (0..b.len()).filter(|&j| on[j]).collect();
    solve_subset(a, b, &idx)
}

fn solve_subset(a: &DMatrix<f64>, b: &DVector<f64>, idx: &[usize]) -> Option<DVector<f64>> {
    let mut x = DVector::zeros(b.len());
    if idx.is_empty() {
        return Some(x);
    }
    let k = idx.len();
    let sub = DMatrix::from_fn(k, k, |r, c| a[(idx[r], idx[c])]);
    let rhs = DVector::from_fn(k, |r, _| b[idx[r]]);
    let z = sub.cholesky()?.solve(&rhs);
    if z.iter().any(|v| !v.is_finite()) {
        return None;
    }
    for (r, &j) in idx.iter().enumerate() {
        x[j] = z[r];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unconstrained_when_signs_hold() {
        // A = diag(2, 4), b = (2, 8): β = (1, 2).
        let a = DMatrix::from_row_slice(2, 2, &[2.0, 0.0, 0.0, 4.0]);
        let b = DVector::from_vec(vec![2.0, 8.0]);
        let x = solve_nonneg_qp(&a, &b, &[true, true]).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn clamps_a_negative_coefficient_and_resolves_the_rest() {
        // A = [[2,1],[1,2]], b = (3, -3): unconstrained β = (3, -3); with β1 ≥ 0 the optimum is
        // β1 = 0 and β0 = b0 / A00 = 1.5 (KKT: gradient of β1 is A10·1.5 - b1 = 4.5 ≥ 0).
        let a = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]);
        let b = DVector::from_vec(vec![3.0, -3.0]);
        let x = solve_nonneg_qp(&a, &b, &[false, true]).unwrap();
        assert!((x[0] - 1.5).abs() < 1e-12 && x[1] == 0.0, "{x}");
        // Without the constraint on β1 the unconstrained solution stays.
        let x = solve_nonneg_qp(&a, &b, &[false, false]).unwrap();
        assert!((x[0] - 3.0).abs() < 1e-12 && (x[1] + 3.0).abs() < 1e-12);
    }

    #[test]
    fn matches_brute_force_on_random_problems() {
        use rand::{RngExt, SeedableRng, rngs::StdRng};
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let p = 4;
            let m = DMatrix::from_fn(6, p, |_, _| rng.random_range(-1.0..1.0));
            let a = m.transpose() * &m + DMatrix::identity(p, p) * 0.1;
            let b = DVector::from_fn(p, |_, _| rng.random_range(-2.0..2.0));
            let nonneg = [false, true, true, true];
            let x = solve_nonneg_qp(&a, &b, &nonneg).unwrap();
            let f = |v: &DVector<f64>| 0.5 * v.dot(&(&a * v)) - b.dot(v);
            // Brute force: every subset of the constrained variables held at zero.
            let mut best = f64::INFINITY;
            for mask in 0..8u32 {
                let on: Vec<bool> = (0..p).map(|j| j == 0 || mask & (1 << (j - 1)) != 0).collect();
                let z = solve_on(&a, &b, &on).unwrap();
                if (1..p).all(|j| z[j] >= 0.0) {
                    best = best.min(f(&z));
                }
            }
            assert!((1..p).all(|j| x[j] >= 0.0));
            assert!((f(&x) - best).abs() < 1e-9, "{} vs {best}", f(&x));
        }
    }
}
