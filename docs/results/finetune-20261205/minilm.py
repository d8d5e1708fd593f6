"""MiniLM-L6 (all-minilm-l6-v2) in PyTorch from the ONNX file langchain4j ships, and its WordPiece tokenizer.

Scratch code for one experiment (does fine-tuning the encoder's top layers on routing outcomes beat the frozen encoder?).
"""
import json
import math
import unicodedata

import onnx
import torch
from onnx import numpy_helper


class WordPiece:
    def __init__(self, tokenizer_json):
        spec = json.load(open(tokenizer_json))
        self.vocab = spec["model"]["vocab"]
        self.unk = self.vocab["[UNK]"]
        self.cls = self.vocab["[CLS]"]
        self.sep = self.vocab["[SEP]"]

    @staticmethod
    def _is_punct(ch):
        cp = ord(ch)
        if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
            return True
        return unicodedata.category(ch).startswith("P")

    @staticmethod
    def _is_cjk(cp):
        return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
                or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
                or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)

    def words(self, text):
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r"):
                continue
            if self._is_cjk(cp):
                out.append(" " + ch + " ")
            elif ch.isspace():
                out.append(" ")
            else:
                out.append(ch)
        text = "".join(out).lower()
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        words = []
        for token in text.split():
            current = ""
            for ch in token:
                if self._is_punct(ch):
                    if current:
                        words.append(current)
                        current = ""
                    words.append(ch)
                else:
                    current += ch
            if current:
                words.append(current)
        return words

    def pieces(self, text):
        ids = []
        for word in self.words(text):
            if len(word) > 100:
                ids.append(self.unk)
                continue
            start, sub = 0, []
            while start < len(word):
                end, found = len(word), None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        found = self.vocab[piece]
                        break
                    end -= 1
                if found is None:
                    sub = [self.unk]
                    break
                sub.append(found)
                start = end
            ids.extend(sub)
        return ids

    def encode(self, text, length, window="head"):
        ids = self.pieces(text)
        room = length - 2
        ids = ids[:room] if window == "head" else ids[-room:]
        return [self.cls] + ids + [self.sep]


class Layer(torch.nn.Module):
    def __init__(self, hidden=384, heads=12, inner=1536):
        super().__init__()
        self.heads = heads
        self.q = torch.nn.Linear(hidden, hidden)
        self.k = torch.nn.Linear(hidden, hidden)
        self.v = torch.nn.Linear(hidden, hidden)
        self.o = torch.nn.Linear(hidden, hidden)
        self.ln1 = torch.nn.LayerNorm(hidden, eps=1e-12)
        self.up = torch.nn.Linear(hidden, inner)
        self.down = torch.nn.Linear(inner, hidden)
        self.ln2 = torch.nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x, mask):
        b, n, h = x.shape
        d = h // self.heads

        def split(t):
            return t.view(b, n, self.heads, d).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d)
        scores = scores + (1.0 - mask[:, None, None, :]) * -10000.0
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, h)
        x = self.ln1(x + self.o(context))
        return self.ln2(x + self.down(torch.nn.functional.gelu(self.up(x))))


class MiniLM(torch.nn.Module):
    def __init__(self, onnx_file):
        super().__init__()
        graph = onnx.load(onnx_file).graph
        inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
        consumers = {}
        for node in graph.node:
            for x in node.input:
                consumers.setdefault(x, []).append(node)
        weight_of = {}  # bias name -> the MatMul weight that feeds its Add
        for node in graph.node:
            if node.op_type == "MatMul" and node.input[1] in inits:
                for add in consumers.get(node.output[0], []):
                    if add.op_type == "Add":
                        for x in add.input:
                            if x in inits and x.endswith(".bias"):
                                weight_of[x] = inits[node.input[1]]
        self.word = torch.nn.Embedding.from_pretrained(inits["embeddings.word_embeddings.weight"], freeze=False)
        self.position = torch.nn.Embedding.from_pretrained(inits["embeddings.position_embeddings.weight"], freeze=False)
        self.token_type = torch.nn.Embedding.from_pretrained(inits["embeddings.token_type_embeddings.weight"], freeze=False)
        self.ln = torch.nn.LayerNorm(384, eps=1e-12)
        self.ln.weight.data = inits["embeddings.LayerNorm.weight"]
        self.ln.bias.data = inits["embeddings.LayerNorm.bias"]
        self.layers = torch.nn.ModuleList()
        for i in range(6):
            p = f"encoder.layer.{i}."
            layer = Layer()

            def linear(module, bias):
                module.weight.data = weight_of[bias].t().contiguous()
                module.bias.data = inits[bias]

            linear(layer.q, p + "attention.self.query.bias")
            linear(layer.k, p + "attention.self.key.bias")
            linear(layer.v, p + "attention.self.value.bias")
            linear(layer.o, p + "attention.output.dense.bias")
            linear(layer.up, p + "intermediate.dense.bias")
            linear(layer.down, p + "output.dense.bias")
            layer.ln1.weight.data = inits[p + "attention.output.LayerNorm.weight"]
            layer.ln1.bias.data = inits[p + "attention.output.LayerNorm.bias"]
            layer.ln2.weight.data = inits[p + "output.LayerNorm.weight"]
            layer.ln2.bias.data = inits[p + "output.LayerNorm.bias"]
            self.layers.append(layer)

    def embed(self, ids):
        positions = torch.arange(ids.shape[1])[None, :]
        return self.ln(self.word(ids) + self.position(positions) + self.token_type(torch.zeros_like(ids)))

    def run(self, x, mask, first, last):
        for layer in self.layers[first:last]:
            x = layer(x, mask)
        return x


def mean_pool(x, mask):
    summed = (x * mask[:, :, None]).sum(1)
    return summed / mask.sum(1, keepdim=True).clamp(min=1)
