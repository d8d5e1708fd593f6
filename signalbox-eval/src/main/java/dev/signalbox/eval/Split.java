package dev.signalbox.eval;

import dev.signalbox.eval.data.EvalPrompt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How prompts are divided into training and test parts: the data's own split, K folds, or one fold
 * per task.
 */
public sealed interface Split {
  record Fold(String name, List<EvalPrompt> train, List<EvalPrompt> test) {
    public Fold {
      train = List.copyOf(train);
      test = List.copyOf(test);
    }
  }

  List<Fold> folds(List<EvalPrompt> prompts, long seed);

  /** Parses a split's name: the test part, cv:K or leave-task-out. */
  static Split parse(String text) {
    if (text.equals("test")) {
      return new Given();
    }
    if (text.equals("leave-task-out")) {
      return new LeaveTaskOut();
    }
    if (text.startsWith("cv:")) {
      try {
        int k = Integer.parseInt(text.substring(3));
        if (k >= 2) {
          return new CrossValidation(k);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException(
        "unknown split '" + text + "' (expected test, cv:K with K >= 2, or leave-task-out)");
  }

  /** The data's own train and test labels. */
  record Given() implements Split {
    @Override
    public List<Fold> folds(List<EvalPrompt> prompts, long seed) {
      List<EvalPrompt> train = prompts.stream().filter(p -> p.split().equals("train")).toList();
      List<EvalPrompt> test = prompts.stream().filter(p -> p.split().equals("test")).toList();
      if (test.isEmpty()) {
        throw new IllegalArgumentException(
            "the data has no prompts marked \"split\": \"test\"; use --split cv:K or"
                + " leave-task-out");
      }
      return List.of(new Fold("test", train, test));
    }

    @Override
    public String toString() {
      return "test";
    }
  }

  /**
   * K folds of a seeded shuffle; each prompt is tested once, by policies fitted on the other K − 1
   * folds.
   */
  record CrossValidation(int k) implements Split {
    @Override
    public List<Fold> folds(List<EvalPrompt> prompts, long seed) {
      if (prompts.size() < k) {
        throw new IllegalArgumentException(
            "cv:" + k + " needs at least " + k + " prompts, the data has " + prompts.size());
      }
      List<EvalPrompt> shuffled = new ArrayList<>(prompts);
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = shuffled.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        EvalPrompt t = shuffled.get(i);
        shuffled.set(i, shuffled.get(j));
        shuffled.set(j, t);
      }
      List<Fold> folds = new ArrayList<>();
      for (int f = 0; f < k; f++) {
        List<EvalPrompt> train = new ArrayList<>();
        List<EvalPrompt> test = new ArrayList<>();
        for (int i = 0; i < shuffled.size(); i++) {
          (i % k == f ? test : train).add(shuffled.get(i));
        }
        folds.add(new Fold("fold " + (f + 1) + "/" + k, train, test));
      }
      return folds;
    }

    @Override
    public String toString() {
      return "cv:" + k;
    }
  }

  /** One fold per task: policies never see the task they are tested on. */
  record LeaveTaskOut() implements Split {
    @Override
    public List<Fold> folds(List<EvalPrompt> prompts, long seed) {
      Map<String, List<EvalPrompt>> byTask = new LinkedHashMap<>();
      prompts.forEach(p -> byTask.computeIfAbsent(p.task(), t -> new ArrayList<>()).add(p));
      if (byTask.size() < 2 || byTask.containsKey("")) {
        throw new IllegalArgumentException(
            "leave-task-out needs every prompt labelled with one of at least two tasks");
      }
      List<Fold> folds = new ArrayList<>();
      byTask.forEach(
          (task, test) ->
              folds.add(
                  new Fold(
                      "task " + task,
                      prompts.stream().filter(p -> !p.task().equals(task)).toList(),
                      test)));
      return folds;
    }

    @Override
    public String toString() {
      return "leave-task-out";
    }
  }
}
