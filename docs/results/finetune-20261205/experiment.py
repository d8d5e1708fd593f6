"""Frozen MiniLM against MiniLM with its top layers fine-tuned on LLMRouter's routing outcomes.

Both arms read the same tokens (the last WINDOW word pieces of each question) and are scored the same way: per model,
a predicted quality; the router picks argmax(predicted - lambda * cost); the figure is the test split's mean score of
the picks, at lambda 0 and at the best lambda of a sweep (the frontier's highest point).

  /usr/bin/python3 experiment.py DATA_DIR
"""
import json
import os
import sys
import time

import numpy as np
import torch

from minilm import MiniLM, WordPiece, mean_pool

torch.set_num_threads(2)
DATA = sys.argv[1]
WINDOW = int(os.environ.get("WINDOW", "128"))
SIDE = os.environ.get("SIDE", "tail")
TRAINABLE = int(os.environ.get("TRAINABLE", "2"))
EPOCHS = int(os.environ.get("EPOCHS", "4"))
SEEDS = [int(s) for s in os.environ.get("SEEDS", "1 2 3").split()]
HERE = os.path.dirname(os.path.abspath(__file__))


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


train = json.load(open(f"{DATA}/dcrouter_preprocessed/train.json"))
test = json.load(open(f"{DATA}/dcrouter_preprocessed/test.json"))
prices = json.load(open(f"{DATA}/llm_candidates/default_llm.json"))
models = sorted(m for m in train[0]["scores"] if m in prices)
log(len(train), "train", len(test), "test", len(models), "models")


def matrix(items):
    return np.array([[item["scores"][m] for m in models] for item in items], dtype=np.float32)


def costs(items):
    tokens = np.array([len(item["question"]) / 4 for item in items])
    return np.stack(
        [(prices[m]["input_price"] * tokens + prices[m]["output_price"] * 100) / 1e6 for m in models], axis=1)


y_train, y_test = matrix(train), matrix(test)
c_test = costs(test)
log("test means", dict(zip(models, y_test.mean(0).round(3))), "oracle", y_test.max(1).mean().round(3))

tok = WordPiece(f"{HERE}/jar/all-minilm-l6-v2-tokenizer.json")
encoder = MiniLM(f"{HERE}/jar/all-minilm-l6-v2.onnx").eval()


def tokens(items):
    ids = np.zeros((len(items), WINDOW), dtype=np.int64)
    mask = np.zeros((len(items), WINDOW), dtype=np.float32)
    for i, item in enumerate(items):
        pieces = tok.encode(item["question"], WINDOW, SIDE)
        ids[i, : len(pieces)] = pieces
        mask[i, : len(pieces)] = 1
    return torch.from_numpy(ids), torch.from_numpy(mask)


cache = f"{HERE}/cache-{SIDE}{WINDOW}-{6 - TRAINABLE}.pt"
if os.path.exists(cache):
    lower, pooled, ids, masks = torch.load(cache)
else:
    ids, masks = tokens(train + test)
    lower, pooled = [], []
    with torch.no_grad():
        for start in range(0, len(ids), 64):
            i, m = ids[start : start + 64], masks[start : start + 64]
            h = encoder.run(encoder.embed(i), m, 0, 6 - TRAINABLE)
            lower.append(h.half())
            top = encoder.run(h, m, 6 - TRAINABLE, 6)
            pooled.append(torch.nn.functional.normalize(mean_pool(top, m), dim=1))
            if start % 1280 == 0:
                log("encoded", start)
    lower, pooled = torch.cat(lower), torch.cat(pooled)
    torch.save((lower, pooled, ids, masks), cache)
n_train = len(train)
log("cached", tuple(lower.shape))


def frontier(predicted):
    best = (0.0, 0.0)
    for lam in [0.0] + list(np.geomspace(1, 1e5, 60)):
        pick = np.argmax(predicted - lam * c_test, axis=1)
        quality = y_test[np.arange(len(pick)), pick].mean()
        best = max(best, (quality, lam))
    at_zero = y_test[np.arange(len(predicted)), np.argmax(predicted, axis=1)].mean()
    return round(float(at_zero), 4), round(float(best[0]), 4)


def knn(k=20):
    e_train, e_test = pooled[:n_train], pooled[n_train:]
    sims = e_test @ e_train.T
    top = sims.topk(k, dim=1).indices.numpy()
    return y_train[top].mean(1)


def head_on_frozen(seed, hidden=0, epochs=30):
    torch.manual_seed(seed)
    x_train, x_test = pooled[:n_train], pooled[n_train:]
    head = (torch.nn.Linear(384, len(models)) if hidden == 0 else
            torch.nn.Sequential(torch.nn.Linear(384, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, len(models))))
    opt = torch.optim.Adam(head.parameters(), lr=3e-3)
    target = torch.from_numpy(y_train)
    for _ in range(epochs):
        order = torch.randperm(n_train)
        for start in range(0, n_train, 64):
            b = order[start : start + 64]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(head(x_train[b]), target[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        return torch.sigmoid(head(x_test)).numpy()


class TopAndHead(torch.nn.Module):
    def __init__(self):
        super().__init__()
        fresh = MiniLM(f"{HERE}/jar/all-minilm-l6-v2.onnx")
        self.layers = torch.nn.ModuleList(fresh.layers[6 - TRAINABLE :])
        hidden = int(os.environ.get("HEAD_HIDDEN", "0"))
        self.head = (torch.nn.Linear(384, len(models)) if hidden == 0 else torch.nn.Sequential(
            torch.nn.Linear(384, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, len(models))))

    def forward(self, h, mask):
        for layer in self.layers:
            h = layer(h, mask)
        return self.head(torch.nn.functional.normalize(mean_pool(h, mask), dim=1) * 8)


def fine_tuned(seed):
    torch.manual_seed(seed)
    model = TopAndHead()
    opt = torch.optim.AdamW(
        [{"params": model.layers.parameters(), "lr": float(os.environ.get("LR", "3e-5"))}, {"params": model.head.parameters(), "lr": 1e-3}],
        weight_decay=0.01)
    target = torch.from_numpy(y_train)
    results = []
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(n_train)
        for start in range(0, n_train, 32):
            b = order[start : start + 32]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                model(lower[b].float(), masks[b]), target[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            predicted = torch.cat([
                torch.sigmoid(model(lower[s : s + 100].float(), masks[s : s + 100]))
                for s in range(n_train, len(lower), 100)]).numpy()
        results.append(predicted)
        log(f"seed {seed} epoch {epoch + 1}: fine-tuned alone {frontier(predicted)},"
            f" with kNN {frontier((predicted + knn_predicted) / 2)}")
    return results


knn_predicted = knn()
log("kNN k=20 (lambda 0, best)", frontier(knn_predicted))
for seed in SEEDS:
    linear = head_on_frozen(seed)
    mlp = head_on_frozen(seed, hidden=64)
    log(f"seed {seed} frozen: linear {frontier(linear)}, mlp {frontier(mlp)},"
        f" kNN+linear {frontier((knn_predicted + linear) / 2)}, kNN+mlp {frontier((knn_predicted + mlp) / 2)},"
        f" kNN+mlp+linear {frontier((knn_predicted + mlp + linear) / 3)}")
    tuned = fine_tuned(seed)
    last = tuned[-1]
    log(f"seed {seed} fine-tuned (last epoch) with kNN+mlp+linear of the frozen:"
        f" {frontier((knn_predicted + mlp + linear + last) / 4)}")
