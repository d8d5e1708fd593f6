#!/usr/bin/env python3
"""Writes the sample data sets in examples/data/ (run from the project root; seeded, so the same
files come out every time). They are written by this project, in the formats of RouteLLM's MMLU
files and of Signalbox's own outcomes JSONL, so that every eval, train and replay command in the
README runs on a fresh clone. They are not the public data sets: scripts/fetch-data.sh fetches
those. The questions are templated; which model answers each correctly is drawn from a per-topic
difficulty, so the learned routes have something real to find: the weak model fails hard topics
far more often than easy ones, the strong model a little more."""
import csv
import json
import os
import random

random.seed(20261202)
STRONG = "gpt-4-1106-preview"
WEAK = "mistralai/Mixtral-8x7B-Instruct-v0.1"
TOPICS = {
    # topic: (question templates, P(strong right), P(weak right))
    "arithmetic": (["What is {a} + {b}?", "Compute {a} minus {b}.", "What is {a} plus {b}, in words?"], 0.99, 0.95),
    "geography": (["Which continent is {place} in?", "What is the capital of {place}?"], 0.97, 0.90),
    "algebra": (["Solve for x: {a}x + {b} = {c}.", "Factor x^2 + {a}x + {b}.", "How many real roots has x^2 - {a}x + {b}?"], 0.85, 0.55),
    "proofs": (["Prove that the sum of the first {a} odd numbers is a square.", "Prove that there are infinitely many primes of the form 4k+{d}.", "Derive the closed form of the sum of k^{d} for k up to {a}."], 0.75, 0.30),
    "chemistry": (["How many moles are in {a} grams of water?", "Balance the equation for burning {a} molecules of methane."], 0.88, 0.60),
    "history": (["In which century did {event} happen?", "Who led {event}?"], 0.92, 0.80),
}
PLACES = ["Peru", "Kenya", "Norway", "Laos", "Chile", "Ghana", "Nepal", "Fiji", "Oman", "Chad"]
EVENTS = ["the fall of Constantinople", "the Meiji restoration", "the Hanseatic League", "the Congress of Vienna", "the Ming voyages"]


def question(template):
    return template.format(a=random.randint(2, 999), b=random.randint(2, 999), c=random.randint(2, 999),
                           d=random.randint(1, 3), place=random.choice(PLACES), event=random.choice(EVENTS))


def rows(count):
    for _ in range(count):
        topic = random.choice(list(TOPICS))
        templates, strong, weak = TOPICS[topic]
        text = question(random.choice(templates))
        options = "\n".join(f"{letter}. option {letter.lower()}" for letter in "ABCD")
        yield topic, f"{text}\n{options}\nAnswer:", random.random() < strong, random.random() < weak


def mmlu(directory, count):
    os.makedirs(os.path.join(directory, "responses"), exist_ok=True)
    by_topic = {}
    for topic, prompt, strong, weak in rows(count):
        by_topic.setdefault(topic, []).append((prompt, weak, strong))
    for topic, items in sorted(by_topic.items()):
        with open(os.path.join(directory, "responses", f"mmlu_{topic}.csv"), "w", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["prompt", WEAK, STRONG])
            for prompt, weak, strong in items:
                out.writerow([prompt, str(weak), str(strong)])


def outcomes(path, count):
    with open(path, "w") as f:
        for i, (topic, prompt, strong, weak) in enumerate(rows(count)):
            tokens = len(prompt.split()) * 4 // 3
            line = {
                "id": f"s{i:04d}", "prompt": prompt.split("\n")[0], "task": topic,
                "split": "train" if i % 5 else "test",
                "outcomes": {
                    "frontier": {"quality": int(strong), "cost_usd": round((tokens * 2.5 + 200 * 10) / 1e6, 8)},
                    "nano": {"quality": int(weak), "cost_usd": round((tokens * 0.1 + 200 * 0.4) / 1e6, 8)},
                },
            }
            f.write(json.dumps(line) + "\n")


mmlu("examples/data/mmlu-sample", 600)
outcomes("examples/data/outcomes-sample.jsonl", 800)
