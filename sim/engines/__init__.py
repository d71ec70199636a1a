"""Engines that compute run summaries: `batch` (many runs at once over arrays) and `mesa`
(the Mesa model, one run after another). Both run the stage functions of `sim.model.stages`
and give identical summaries for the same root seed and run index."""
