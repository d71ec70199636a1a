"""Engines that compute run summaries: `batch` (many runs at once over arrays) and `mesa`
(the Mesa model, one run after another). Both run `sim.model.week.run_week`
and give identical summaries for the same root seed and run index."""
