"""Fast mode: a surrogate of the raid engine fitted to raid-engine runs of the raid template.

What it predicts for one night, given the threats launched per type ``n_t`` and the rounds
available per pool ``A_p``:

* per threat type, the share destroyed and the share of the rest made lost (EW);
  leaked = launched - destroyed - lost;
* per pool (and per effector type of the units without a pool), the share of the usable rounds
  fired; usable rounds are ``min(A_p, A_max_p)``, where ``A_max_p`` is the pool's magazines
  plus what its units reloaded from the depot in the largest raid of the design with unlimited
  stock, with a margin (:data:`~airshield.campaign.surrogate.design.USABLE_MARGIN`, 30 %; more
  stock changes nothing); a resource fires nothing on a night without any threat type it could
  engage (:meth:`RaidBridge.engage_mask`);
* damage in USD per harmful leaker by threat type, linear in the (linear) features, so that
  where the leakers go as pools run low is followed (ridge least squares).

Each share is a binomial GLM (logit link) on a quadratic in standardised features:
``log1p(n_t)``, ``log1p(sum n)``, the share ``u_p = min(A_p, A_max_p) / A_max_p`` and its
square root (and, for a resource's rounds, only the counts of the types it can engage and their
total), fitted by penalised iteratively reweighted least squares. Counts are drawn around the
predicted mean with the variance the design runs showed (a dispersion factor times the binomial
variance; the raid engine is often *less* variable than binomial because magazines cap what can
be killed), by a normal draw rounded stochastically and clipped to the feasible range. The draws
are monotone in their normal deviates, so two variants run with common random numbers stay
coupled.

The design: compositions taken from the campaign's own raid nights (evenly over raid size), each
at a few pool-stock levels (always one at full stock), a few replications each, from one
``SeedSequence(spec.seed)``; the structure of each GLM (constant, linear, or quadratic with one of
a few ridges) is chosen by cross-validated deviance. A fit is cached in memory and on disk
(:func:`cache_dir`) under a hash of the raid template, the design (its seed included), the
surrogate version and the engine code (:func:`airshield.provenance.engine_code_hash`).

One module per job: :mod:`~airshield.campaign.surrogate.design` (which runs, running them),
:mod:`~airshield.campaign.surrogate.features` (the feature map shared by fit and prediction),
:mod:`~airshield.campaign.surrogate.fit` (GLMs, dispersions, damage; :func:`fit_surrogate`),
:mod:`~airshield.campaign.surrogate.predict` (:class:`Surrogate`: shares, expectations, draws),
:mod:`~airshield.campaign.surrogate.cache` (keys, memory and disk).
"""

from __future__ import annotations

from airshield.campaign.surrogate.cache import (
    SURROGATE_VERSION,
    cache_dir,
    clear_memory,
    design_key,
    load_surrogate,
    save_surrogate,
)
from airshield.campaign.surrogate.design import (
    DEFAULT_DESIGN_SEED,
    DesignData,
    DesignSpec,
    collect_design,
    design_compositions,
    stock_levels,
)
from airshield.campaign.surrogate.features import (
    every_column,
    feature_sets,
    quadratic,
    raw_features,
)
from airshield.campaign.surrogate.fit import (
    QUAD_RIDGES,
    fit_binomial_glm,
    fit_from_design,
    fit_surrogate,
    select_glm,
)
from airshield.campaign.surrogate.predict import Surrogate, _count, draw_count

# the pre-split private names, kept for callers that reached into the old module
_raw_z = raw_features
_quadratic = quadratic
_every = every_column
_design_key = design_key

__all__ = [
    "DEFAULT_DESIGN_SEED",
    "QUAD_RIDGES",
    "SURROGATE_VERSION",
    "DesignData",
    "DesignSpec",
    "Surrogate",
    "_count",
    "cache_dir",
    "clear_memory",
    "collect_design",
    "design_compositions",
    "design_key",
    "draw_count",
    "every_column",
    "feature_sets",
    "fit_binomial_glm",
    "fit_from_design",
    "fit_surrogate",
    "load_surrogate",
    "quadratic",
    "raw_features",
    "save_surrogate",
    "select_glm",
    "stock_levels",
]
