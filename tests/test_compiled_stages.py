"""The compiled stages' building blocks: the normal draws' inverse CDF gives SciPy's numbers
bit for bit, and the packed parameters' columns are the names they claim to be."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from sim.config import model_params, run_config
from sim.model import draws, packing


def test_normal_quantile_is_scipy_ndtri_bit_for_bit():
    rng = np.random.default_rng(11)
    bits = rng.integers(0, 2**53, 200_000, dtype=np.uint64)
    u = np.concatenate([(bits.astype(np.float64) + 0.5) * 2.0**-53,  # the draws' own grid
                        (np.arange(2000) + 0.5) * 2.0**-53, 1.0 - (np.arange(2000) + 0.5) * 2.0**-53,  # both tails
                        rng.uniform(0.0, 1e-12, 20_000), [0.0, 1.0, 0.5, np.exp(-2.0), 1 - np.exp(-2.0)]])
    ours = np.array([draws.normal_quantile(x) for x in u])
    assert np.array_equal(ours, ndtri(u))


def test_normal_draws_are_the_inverse_cdf_of_centred_uniforms():
    keys = draws.run_key(0, np.arange(10_000))
    bits = np.array([draws.draw_bits(k, np.uint64(3), draws.purpose_key("world.isis")) for k in keys])
    assert np.array_equal(draws.normal(keys, 3, "world.isis"), ndtri((bits.astype(np.float64) + 0.5) * 2.0**-53))


def test_packed_columns_are_named_by_their_constants():
    names = {n: getattr(packing, n) for n in dir(packing) if n.isupper() and isinstance(getattr(packing, n), int)
             and n not in ("N_PAR", "N_FAC")}
    for const, index in names.items():
        if const.startswith("F_"):
            assert packing.FACTION_ATTRS[index] == const[2:].lower()
        else:
            assert packing.PARAM_NAMES[index].split(".")[-1].upper().endswith(const.split("_", 1)[-1]) or \
                packing.PARAM_NAMES[index].upper() == const, const
    assert packing.N_PAR == len(packing.PARAM_NAMES) and packing.N_FAC == len(packing.FACTION_ATTRS)
    p = model_params(run_config("baseline", 0, []))
    par, fac = packing.packed(p)
    assert par.shape == (1, packing.N_PAR) and fac.shape == (1, packing.N_FAC, p.factions.size)
    assert par[0, packing.WA_REVISION_RATE] == p.washington.revision_rate
    assert par[0, packing.STEP_DAYS] == p.step_days
    assert np.array_equal(fac[0, packing.F_SEATS], p.factions.seats)
