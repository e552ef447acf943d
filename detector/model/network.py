"""The span tagger: the MiniLM encoder, a casing embedding added to its input, and a
BIO head. The word-embedding matrix stays frozen at the base model's values, so a
shipped model version stores only the layers it trained."""

from __future__ import annotations

import torch
from torch import nn

from detector.model.features import CASING_CLASSES, LABELS

FROZEN_PREFIX = "bert.embeddings.word_embeddings."


class SpanTagger(nn.Module):
    def __init__(self, bert):
        super().__init__()
        self.bert = bert
        hidden = bert.config.hidden_size
        self.casing = nn.Embedding(CASING_CLASSES, hidden)
        nn.init.zeros_(self.casing.weight)  # start exactly at the base model's behaviour
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(hidden, len(LABELS))
        self.bert.embeddings.word_embeddings.weight.requires_grad_(False)

    @classmethod
    def from_base(cls, path: str) -> "SpanTagger":
        from transformers import BertModel
        from transformers.utils import logging

        logging.disable_progress_bar()  # a bar for a sub-second load on the check's stderr is noise
        return cls(BertModel.from_pretrained(path, add_pooling_layer=False))

    @classmethod
    def from_config(cls, config) -> "SpanTagger":
        from transformers import BertModel

        return cls(BertModel(config, add_pooling_layer=False))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, casing_ids: torch.Tensor) -> torch.Tensor:
        embeddings = self.bert.embeddings.word_embeddings(input_ids) + self.casing(casing_ids)
        hidden = self.bert(inputs_embeds=embeddings, attention_mask=attention_mask).last_hidden_state
        return self.classifier(self.dropout(hidden))

    def trained_state(self) -> dict[str, torch.Tensor]:
        """Every parameter and buffer except the frozen word embeddings."""
        return {k: v for k, v in self.state_dict().items() if not k.startswith(FROZEN_PREFIX)}
