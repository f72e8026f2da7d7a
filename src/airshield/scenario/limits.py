"""Upper bounds on every input: the size of a document and what it may ask for.

Every bound is checked before anything is allocated, so a hostile or mistyped input (a YAML
alias bomb, 10⁹ drones, a ring of 10⁶ units, ``reps: 1e400``) is answered with a clear error
naming the file, the line and the field instead of a hang, a ``RecursionError`` or an
out-of-memory crash. The numbers are generous for real planning work (the largest night of the
public record had about 800 threats) and are listed in ``docs/scenario.md`` (section *Limits*).
"""

from __future__ import annotations

#: largest input document (YAML or JSON file, web request text), in bytes
MAX_DOCUMENT_BYTES = 4_000_000
#: deepest nesting of mappings and sequences in a document
MAX_DEPTH = 64
#: most nodes (scalars, mappings, sequences) in a document after YAML aliases are expanded
MAX_NODES = 500_000
#: most aliases (`*name`) in one document
MAX_ALIASES = 10_000
#: longest scalar (a string, a number's digits) in a document, in characters
MAX_SCALAR_CHARS = 100_000

#: most entries in one list of a scenario (assets, sensors, fire unit rules, pools, waves, ...)
MAX_LIST_ITEMS = 10_000
#: most threats in one wave, and in one scenario (all waves together)
MAX_THREATS = 100_000
#: most fire units one `ring` or `line` rule lays down
MAX_RULE_UNITS = 2_000
#: most fire units in one scenario, laydown rules expanded
MAX_UNITS = 5_000
#: most threats x (fire units + sensors + assets): the size of the per-replication arrays
MAX_THREAT_PAIRS = 50_000_000
#: most replications of one run (raid, campaign, sweep cell)
MAX_REPS = 1_000_000
#: most rounds in a pool, a magazine, a stock, a delivery or an order
MAX_ROUNDS = 100_000_000
#: most channels of one fire unit
MAX_CHANNELS = 1_000
#: largest money amount (value at risk, cost, budget), USD
MAX_USD = 1e15
#: largest distance (ranges, radii, route jitter), km
MAX_KM = 40_000.0
#: latest time inside one night's raid (launch times, reload times), s
MAX_TIME_S = 7 * 86_400.0
#: largest root seed (numpy SeedSequence takes any non-negative int; stores keep 63 bits)
MAX_SEED = 2**63 - 1


def documented() -> list[tuple[str, str, str]]:
    """``(name, value, meaning)`` of every limit above, read from this module's ``#:`` comments
    (the Limits section of docs/scenario.md is generated from it)."""
    import inspect
    import sys

    module = sys.modules[__name__]
    src = inspect.getsource(module).splitlines()
    out: list[tuple[str, str, str]] = []
    for i, line in enumerate(src):
        if line.startswith("MAX_") and " = " in line and i > 0 and src[i - 1].startswith("#: "):
            name = line.split(" = ", 1)[0]
            value = getattr(module, name)
            shown = f"{value:,}" if isinstance(value, int) else f"{value:,g}"
            out.append((name, shown, src[i - 1][3:]))
    return out
