//! Binning for huge transfers: values grouped by the pixel column they fall in, so a view draws one element
//! per column instead of one per segment.

/// Columns of `width` px each (one pixel, unless told otherwise) from `left`.
pub struct Columns {
    pub left: f64,
    pub width: f64,
}

impl Columns {
    pub fn of(&self, x: f64) -> i64 {
        ((x - self.left) / self.width).floor() as i64
    }
    pub fn centre(&self, column: i64) -> f64 {
        self.left + (column as f64 + 0.5) * self.width
    }
}

/// The (min, max) of the values in each column that has any, in column order: `items` are (x px, low, high).
pub fn ranges(columns: &Columns, items: impl IntoIterator<Item = (f64, f64, f64)>) -> Vec<(i64, f64, f64)> {
    let mut out: Vec<(i64, f64, f64)> = Vec::new();
    for (x, lo, hi) in items {
        let column = columns.of(x);
        match out.last_mut() {
            Some(last) if last.0 == column => {
                last.1 = last.1.min(lo);
                last.2 = last.2.max(hi);
            }
            _ => out.push((column, lo, hi)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_one_column_become_one_range() {
        let columns = Columns { left: 10.0, width: 1.0 };
        let got = ranges(&columns, [(10.2, 5.0, 6.0), (10.9, 1.0, 2.0), (12.5, 7.0, 8.0)]);
        assert_eq!(got, [(0, 1.0, 6.0), (2, 7.0, 8.0)]);
        assert_eq!(columns.centre(2), 12.5);
    }
}
