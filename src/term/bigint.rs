//! Integers beyond 64 bits, which PHP cannot hold: they become decimal
//! strings. Inputs are capped by the decoder (`MAX_BIG_BYTES`), so the
//! quadratic schoolbook division stays cheap.

/// Decimal text of a little-endian magnitude with a sign.
pub fn to_decimal(negative: bool, magnitude_le: &[u8]) -> String {
    // Base 2^32 limbs, most significant first, divided by 10^9 repeatedly.
    let mut limbs: Vec<u32> = magnitude_le
        .chunks(4)
        .rev()
        .map(|c| {
            let mut b = [0u8; 4];
            b[..c.len()].copy_from_slice(c);
            u32::from_le_bytes(b)
        })
        .collect();
    let mut chunks = Vec::new();
    while limbs.iter().any(|&l| l != 0) {
        let mut rem: u64 = 0;
        for limb in &mut limbs {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        chunks.push(rem as u32);
        let lead = limbs.iter().take_while(|&&l| l == 0).count();
        limbs.drain(..lead);
    }
    let mut out = String::with_capacity(chunks.len() * 9 + 1);
    if negative && !chunks.is_empty() {
        out.push('-');
    }
    match chunks.split_last() {
        None => out.push('0'),
        Some((first, rest)) => {
            out.push_str(&first.to_string());
            for c in rest.iter().rev() {
                out.push_str(&format!("{c:09}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_decimal;

    #[test]
    fn powers_of_two() {
        let mut m = vec![0u8; 8];
        m.push(1); // 2^64
        assert_eq!(to_decimal(false, &m), "18446744073709551616");
        assert_eq!(to_decimal(true, &m), "-18446744073709551616");
        assert_eq!(to_decimal(false, &[0xff; 16]), u128::MAX.to_string());
        assert_eq!(to_decimal(false, &[]), "0");
    }
}
