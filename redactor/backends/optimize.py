"""Re-encode a model into the form llama.cpp runs fastest on this CPU, if it stays as good.

The shipped SmolLM2 file is Q4_1, for which llama.cpp has no fast
matrix-multiply path on x86: the same weights as Q8_0 read prompts about twice
as fast on one thread.  ``optimize_model(name)``:

1. measures the installed file (``quality.py``): perplexity of the reference
   text, accuracy on the labelled answer task, tokens/s on one thread;
2. re-encodes it into each candidate (``llama_model_quantize``, with
   ``allow_requantize``: the source is already quantised) and measures each;
3. keeps a candidate only if its perplexity is within ``PERPLEXITY_TOLERANCE``
   of the original's and its accuracy is not lower; of those and the
   original, picks the fastest (a candidate must beat the original by
   ``MIN_SPEEDUP``, or measurement noise could pick it; candidates within
   ``SPEED_NOISE`` of the fastest are ranked by perplexity instead);
4. records the choice with its sha256, and every measurement, in the store's
   catalog; deletes the candidates it did not choose.  The original file is
   never touched.

Which candidates to try is data: a manifest entry's ``optimize`` list, or the
``candidates`` argument (``redactor models optimize --to``).  Requantising
loses what the source already lost and can add more: Q4_1 → Q8_0 is close to
lossless, Q4_1 → Q4_0 is not, and the gate above is what keeps such a choice
out.  Any failure leaves the original in use.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any, Callable

from ..errors import LocalModelError, ModelNotFoundError
from .catalog import model_entry, set_model_field
from .gguf import read_gguf_info
from .local import quiet_llama
from .measured import remember
from .models import load_manifest, resolve_model, sha256_file, store_dir

PERPLEXITY_TOLERANCE = 0.02
MIN_SPEEDUP = 1.05
SPEED_NOISE = 0.10
#: The encodings ``models optimize`` tries when neither the manifest nor the user says.
DEFAULT_CANDIDATES = ("Q8_0",)

Progress = Callable[[str], None]


def quantize(source: Path, dest: Path, quant: str, *, threads: int | None = None) -> None:
    """Write ``source`` re-encoded as ``quant`` (a llama.cpp type name: Q8_0, F16, Q4_0, Q6_K, ...) to ``dest``."""
    import ctypes

    import llama_cpp

    ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{quant.upper()}", None)
    if ftype is None and quant.upper() == "F32":
        ftype = llama_cpp.LLAMA_FTYPE_ALL_F32
    if ftype is None:
        raise LocalModelError(f"unknown encoding {quant!r} (llama.cpp type names: Q8_0, F16, Q4_0, Q6_K, ...)")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.allow_requantize = True
    params.nthread = threads or os.cpu_count() or 1
    with quiet_llama():
        rc = llama_cpp.llama_model_quantize(str(source).encode(), str(dest).encode(), ctypes.byref(params))
    if rc != 0 or not dest.is_file():
        dest.unlink(missing_ok=True)
        raise LocalModelError(f"could not re-encode {source.name} as {quant} (llama.cpp returned {rc})")


def measure(path: Path, *, n_threads: int = 1, reference: Any = None) -> dict[str, Any]:
    """Perplexity, answer accuracy and speed of one file (see ``quality.py``)."""
    from . import quality

    ppl = quality.perplexity(path, n_threads=n_threads)
    correct, items, _ = quality.answer_accuracy(path, n_threads=n_threads)
    out = {
        "quant": read_gguf_info(path).quant,
        "perplexity": round(ppl.perplexity, 4),
        "accuracy": round(correct / items, 4),
        "correct": correct,
        "items": items,
        "tokens_per_s": round(quality.speed(path, n_threads=n_threads), 1),
        "_ppl": ppl,
    }
    if reference is not None:
        out["top1_agreement"] = round(ppl.agreement(reference), 4)
    return out


def passes(base: dict[str, Any], candidate: dict[str, Any]) -> tuple[bool, str]:
    """The quality gate: perplexity within ``PERPLEXITY_TOLERANCE`` of the original's, accuracy not lower."""
    if candidate["perplexity"] > base["perplexity"] * (1 + PERPLEXITY_TOLERANCE):
        return False, (f"perplexity {candidate['perplexity']:.3f} vs {base['perplexity']:.3f} "
                       f"(more than {PERPLEXITY_TOLERANCE:.0%} worse)")
    if candidate["accuracy"] < base["accuracy"]:
        return False, f"answers {candidate['correct']}/{candidate['items']}, below {base['correct']}/{base['items']}"
    return True, "within tolerance"


def choose(original: str, results: dict[str, dict[str, Any]]) -> str:
    """The fastest accepted encoding, preferring fidelity when speeds are within noise.

    Another encoding than the original must be ``MIN_SPEEDUP`` faster.  Of the
    accepted candidates within ``SPEED_NOISE`` of the fastest one, the one with
    the lowest perplexity wins: CPU-time measurements on a shared machine differ
    by ~10% from run to run, and faithfulness should not be left to that."""
    floor = results[original]["tokens_per_s"] * MIN_SPEEDUP
    fast = {q: m for q, m in results.items() if q != original and m.get("accepted") and m["tokens_per_s"] > floor}
    if not fast:
        return original
    top = max(m["tokens_per_s"] for m in fast.values())
    near = {q: m for q, m in fast.items() if m["tokens_per_s"] >= top * (1 - SPEED_NOISE)}
    return min(near, key=lambda q: near[q]["perplexity"])


def _optimized_name(name: str, original: Path, quant: str, folder: Path) -> Path:
    stem = original.stem
    source_quant = read_gguf_info(original).quant
    if stem.lower().endswith("." + source_quant.lower()):
        stem = stem[: -len(source_quant) - 1]
    if original.parent != folder:  # an added model: the new file lives in the store, named for the model
        stem = name
    return folder / f"{stem}.{quant}.gguf"


def optimize_model(
    name: str,
    *,
    store: Path | None = None,
    candidates: tuple[str, ...] | None = None,
    n_threads: int = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Measure ``name``'s installed file and its re-encodings; record and return the choice.

    Returns ``{"chosen": quant, "file": path, "encodings": {quant: measurement}}``."""
    say = progress or (lambda line: None)
    folder = store or store_dir()
    spec = load_manifest().get(name)
    if spec is None and not model_entry(folder, name).get("added"):
        raise ModelNotFoundError(f"unknown model {name!r}: optimize a shipped model or one added with `models add`")
    original = resolve_model(name, store=store, optimized=False)
    candidates = tuple(candidates or (spec.optimize if spec and spec.optimize else DEFAULT_CANDIDATES))
    original_quant = read_gguf_info(original).quant
    start = time.perf_counter()
    say(f"{name}: measuring {original.name} ({original_quant}) ...")
    base = measure(original, n_threads=n_threads)
    results = {original_quant: base | {"accepted": True, "note": "the installed file"}}
    kept: dict[str, Path] = {}
    for quant in (c.upper() for c in candidates):
        if quant == original_quant.upper():
            continue
        dest = _optimized_name(name, original, quant, folder)
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.part")
        try:
            say(f"{name}: re-encoding as {quant} and measuring ...")
            quantize(original, tmp, quant)
            m = measure(tmp, n_threads=n_threads, reference=base["_ppl"])
        except LocalModelError as e:
            tmp.unlink(missing_ok=True)
            results[quant] = {"accepted": False, "note": str(e)}
            continue
        accepted, note = passes(base, m)
        results[quant] = m | {"accepted": accepted, "note": note}
        if accepted:
            os.replace(tmp, dest)
            kept[quant] = dest
        else:
            tmp.unlink(missing_ok=True)
    chosen = choose(original_quant, results)
    for quant, path in kept.items():
        if quant != chosen:
            path.unlink(missing_ok=True)
    for m in results.values():
        m.pop("_ppl", None)
    results[chosen]["chosen"] = True
    source_sha256 = sha256_file(original)
    if chosen != original_quant:
        path = kept[chosen]
        optimized = {"file": path.name, "sha256": sha256_file(path), "size": path.stat().st_size, "quant": chosen}
        set_model_field(folder, name, "optimized", optimized | {"source_sha256": source_sha256})
    else:
        optimized = {"quant": None}
        set_model_field(folder, name, "optimized", None)
        path = original
    set_model_field(folder, name, "quality", results)
    remember(source_sha256, optimized | {"chosen": chosen, "encodings": results},
             path if chosen != original_quant else None)  # for every other store on this machine
    say(f"{name}: using {chosen} ({path.name}); measured in {time.perf_counter() - start:.0f}s")
    return {"chosen": chosen, "file": str(path), "encodings": results}
