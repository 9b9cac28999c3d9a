"""Loading a composed checkpoint with everything transformers says about its weights (shared by the probes)."""

import logging

import transformers
from transformers import EncoderDecoderModel


def load_with_report(path):
    """EncoderDecoderModel.from_pretrained(path) in eval mode, its loading info (missing / unexpected / mismatched
    keys, sorted) and the warnings about newly initialised weights, which transformers logs besides that info."""
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger = transformers.logging.get_logger()
    logger.addHandler(handler)
    try:
        model, info = EncoderDecoderModel.from_pretrained(path, output_loading_info=True)
    finally:
        logger.removeHandler(handler)
    report = dict(
        loading_info={k: sorted(v) if isinstance(v, (list, set)) else str(v) for k, v in info.items()},
        newly_initialised=[m for m in records if "newly initialized" in m or "not initialized" in m],
    )
    return model.eval(), report
