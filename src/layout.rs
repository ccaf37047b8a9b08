//! How many product tiles fit on one page of the catalog, from the screen's
//! size: CSS draws the grid, this only picks its columns and rows so tiles
//! fill the screen (few products: big tiles) and never overflow it (many
//! products: pages). Pure, so it is tested natively for every screen shape.

/// The grid of one catalog page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    pub cols: usize,
    pub rows: usize,
}

impl Grid {
    /// Products on one page.
    pub fn per_page(self) -> usize {
        self.cols * self.rows
    }

    /// Pages needed for `n` products (at least one).
    pub fn pages(self, n: usize) -> usize {
        n.div_ceil(self.per_page()).max(1)
    }
}

/// The grid for `n` products on a `w`×`h` CSS-pixel viewport. Sizes are in
/// rem, following style/main.css: `font-size: clamp(16px, 2.2vmin, 28px)`;
/// a tile needs at least 11×9 rem (picture, name on two lines, price, slot);
/// the heading, pager, language chips and paddings take about 19 rem of height
/// (measured: 18.2 rem; e2e/tests/big_catalog.rs checks nothing is clipped).
pub fn grid(n: usize, w: f64, h: f64) -> Grid {
    let rem = (w.min(h) * 0.022).clamp(16.0, 28.0);
    let (aw, ah) = ((w / rem - 4.0).max(1.0), (h / rem - 19.0).max(1.0));
    // A tile's size plus the 1 rem gap, which only sits between tiles.
    // At most 8 by 8: style/main.css has classes for that many.
    let max_cols = (((aw + 1.0) / 12.0) as usize).clamp(1, 8);
    let max_rows = (((ah + 1.0) / 10.0) as usize).clamp(1, 8);
    let n = n.max(1);
    if n >= max_cols * max_rows {
        return Grid {
            cols: max_cols,
            rows: max_rows,
        };
    }
    // Everything fits on one page: columns in the screen's proportion, so
    // tiles come out about square, then as few rows as that needs.
    let ideal = ((n as f64 * aw / ah).sqrt() + 0.5) as usize;
    let mut cols = ideal.clamp(1, max_cols).min(n);
    while n.div_ceil(cols) > max_rows {
        cols += 1;
    }
    Grid {
        cols,
        rows: n.div_ceil(cols),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPES: [(f64, f64); 3] = [(1080.0, 1920.0), (1920.0, 1080.0), (800.0, 1280.0)];

    #[test]
    fn every_product_has_a_place_on_some_page_at_every_shape() {
        for (w, h) in SHAPES {
            for n in 1..=80 {
                let g = grid(n, w, h);
                assert!(g.pages(n) * g.per_page() >= n, "{n} at {w}x{h}: {g:?}");
                assert!(g.cols >= 1 && g.rows >= 1);
            }
        }
    }

    #[test]
    fn tiles_never_get_smaller_than_a_touch_target_allows() {
        for (w, h) in SHAPES {
            let g = grid(60, w, h);
            let rem = (w.min(h) * 0.022).clamp(16.0, 28.0);
            assert!(w / g.cols as f64 >= 11.0 * rem, "{w}x{h}: {g:?}");
            assert!(
                (h - 19.0 * rem) / g.rows as f64 >= 9.0 * rem,
                "{w}x{h}: {g:?}"
            );
        }
    }

    #[test]
    fn a_small_catalog_gets_big_tiles_on_one_page() {
        let g = grid(6, 1080.0, 1920.0);
        assert_eq!((g.cols, g.rows, g.pages(6)), (2, 3, 1));
        assert_eq!(grid(1, 1920.0, 1080.0), Grid { cols: 1, rows: 1 });
    }

    #[test]
    fn a_large_catalog_gets_pages() {
        for (w, h) in SHAPES {
            let g = grid(60, w, h);
            assert!(g.pages(60) > 1, "{w}x{h}: {g:?}");
        }
    }
}
