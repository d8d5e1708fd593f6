"""Frozen MiniLM against MiniLM with its top layers fine-tuned on RouteLLM's MMLU outcomes (GPT-4 against Mixtral).

One fold of five (seeded): per prompt a predicted chance that each model is right; prompts ranked by the strong
model's minus the weak model's; APGR over every threshold of that ranking (the area between weak-only and
strong-only quality, normalised) and CPT(50%) (the share of strong calls that recovers half the gap).

  /usr/bin/python3 mmlu.py DATA_DIR/routellm/mmlu
"""
import csv
import glob
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
TRAINABLE = int(os.environ.get("TRAINABLE", "2"))
EPOCHS = int(os.environ.get("EPOCHS", "3"))
LR = float(os.environ.get("LR", "1e-4"))
FOLD_SEED = int(os.environ.get("FOLD_SEED", "1"))
HERE = os.path.dirname(os.path.abspath(__file__))
STRONG, WEAK = "gpt-4-1106-preview", "mistralai/Mixtral-8x7B-Instruct-v0.1"


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


contaminated = {json.loads(line)["train_prompt"] for line in open(f"{DATA}/contaminated_prompts.jsonl")}
prompts, labels = [], []
for f in sorted(glob.glob(f"{DATA}/responses/*.csv")):
    for row in csv.DictReader(open(f, newline="")):
        if row["prompt"] in contaminated:
            continue
        prompts.append(row["prompt"])
        labels.append([row[STRONG] == "True", row[WEAK] == "True"])
y = np.array(labels, dtype=np.float32)
n = len(prompts)
order = np.random.default_rng(FOLD_SEED).permutation(n)
test_idx, train_idx = np.sort(order[: n // 5]), np.sort(order[n // 5 :])
val_idx = np.sort(np.random.default_rng(FOLD_SEED + 100).permutation(train_idx)[: len(train_idx) // 10])
fit_idx = np.setdiff1d(train_idx, val_idx)
log(n, "prompts;", len(train_idx), "train,", len(test_idx), "test; strong", y[:, 0].mean().round(4), "weak",
    y[:, 1].mean().round(4))

tok = WordPiece(f"{HERE}/jar/all-minilm-l6-v2-tokenizer.json")
encoder = MiniLM(f"{HERE}/jar/all-minilm-l6-v2.onnx").eval()
cache = f"{HERE}/cache-mmlu-head{WINDOW}-{6 - TRAINABLE}.pt"
if os.path.exists(cache):
    lower, pooled, ids, masks = torch.load(cache)
else:
    ids = torch.zeros((n, WINDOW), dtype=torch.long)
    masks = torch.zeros((n, WINDOW))
    for i, p in enumerate(prompts):
        pieces = tok.encode(p, WINDOW, "head")
        ids[i, : len(pieces)] = torch.tensor(pieces)
        masks[i, : len(pieces)] = 1
    log("tokenized")
    lower, pooled = [], []
    with torch.no_grad():
        for start in range(0, n, 64):
            i, m = ids[start : start + 64], masks[start : start + 64]
            width = int(m.sum(1).max())  # the batch's longest prompt: no work on padding past it
            h = encoder.run(encoder.embed(i[:, :width]), m[:, :width], 0, 6 - TRAINABLE)
            lower.append(torch.nn.functional.pad(h, (0, 0, 0, WINDOW - width)).half())
            top = encoder.run(h, m[:, :width], 6 - TRAINABLE, 6)
            pooled.append(torch.nn.functional.normalize(mean_pool(top, m[:, :width]), dim=1))
            if start % 2560 == 0:
                log("encoded", start)
    lower, pooled = torch.cat(lower), torch.cat(pooled)
    torch.save((lower, pooled, ids, masks), cache)
log("cached", tuple(lower.shape))
y_test = y[test_idx]


def apgr(score, truth=None):
    truth = y_test if truth is None else truth
    ranked = np.argsort(-score, kind="stable")
    strong_right, weak_right = truth[ranked, 0], truth[ranked, 1]
    m = len(ranked)
    # quality when the top k prompts go to the strong model: its answers on those, the weak's on the rest
    quality = (np.concatenate([[0], np.cumsum(strong_right)]) + weak_right.sum()
               - np.concatenate([[0], np.cumsum(weak_right)])) / m
    weak_q, strong_q = quality[0], quality[-1]
    gap = (quality - weak_q) / (strong_q - weak_q)
    area = ((gap[1:] + gap[:-1]) / 2).mean()
    cpt50 = np.argmax(gap >= 0.5) / m
    return round(float(area), 4), round(100 * float(cpt50), 1)


def frozen_knn(k=40):
    e_train, e_test = pooled[train_idx], pooled[test_idx]
    top = (e_test @ e_train.T).topk(k, dim=1).indices.numpy()
    p = y[train_idx][top].mean(1)
    return p[:, 0] - p[:, 1]


def frozen_head(seed, hidden, epochs=30):
    torch.manual_seed(seed)
    x, target = pooled[train_idx], torch.from_numpy(y[train_idx])
    head = (torch.nn.Linear(384, 2) if hidden == 0 else
            torch.nn.Sequential(torch.nn.Linear(384, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 2)))
    opt = torch.optim.Adam(head.parameters(), lr=3e-3)
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for s in range(0, len(x), 64):
            b = perm[s : s + 64]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(head(x[b]), target[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        p = torch.sigmoid(head(pooled[test_idx])).numpy()
    return p[:, 0] - p[:, 1]


class TopAndHead(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList(MiniLM(f"{HERE}/jar/all-minilm-l6-v2.onnx").layers[6 - TRAINABLE :])
        self.head = torch.nn.Sequential(torch.nn.Linear(384, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))

    def forward(self, h, mask):
        for layer in self.layers:
            h = layer(h, mask)
        return self.head(torch.nn.functional.normalize(mean_pool(h, mask), dim=1) * 8)


def batch(index):
    m = masks[index]
    width = int(m.sum(1).max())
    return lower[index][:, :width].float(), m[:, :width]


knn = frozen_knn()
log("frozen kNN k=40: APGR, CPT(50%)", apgr(knn))
linear, mlp = frozen_head(1, 0), frozen_head(1, 64)
log("frozen linear", apgr(linear), "mlp", apgr(mlp), "kNN+linear", apgr((knn + linear) / 2),
    "kNN+mlp+linear", apgr((knn + mlp + linear) / 3))
torch.manual_seed(1)
model = TopAndHead()
opt = torch.optim.AdamW([{"params": model.layers.parameters(), "lr": LR},
                         {"params": model.head.parameters(), "lr": 1e-3}], weight_decay=0.01)
target = torch.from_numpy(y)
for epoch in range(EPOCHS):
    model.train()
    perm = fit_idx[torch.randperm(len(fit_idx)).numpy()]
    for s in range(0, len(perm), 32):
        b = torch.from_numpy(perm[s : s + 32])
        h, m = batch(b)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(h, m), target[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        p = torch.cat([torch.sigmoid(model(*batch(torch.from_numpy(test_idx[s : s + 100]))))
                       for s in range(0, len(test_idx), 100)]).numpy()
    tuned = p[:, 0] - p[:, 1]
    with torch.no_grad():
        pv = torch.cat([torch.sigmoid(model(*batch(torch.from_numpy(val_idx[s : s + 100]))))
                        for s in range(0, len(val_idx), 100)]).numpy()
    log(f"epoch {epoch + 1}: held-out (from the training folds) {apgr(pv[:, 0] - pv[:, 1], y[val_idx])};"
        f" test: fine-tuned {apgr(tuned)}, with kNN {apgr((knn + tuned) / 2)},"
        f" with kNN+linear {apgr((knn + linear + tuned) / 3)}, with kNN+mlp+linear {apgr((knn + mlp + linear + tuned) / 4)}")
