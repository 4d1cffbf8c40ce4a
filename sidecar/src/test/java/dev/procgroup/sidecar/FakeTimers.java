package dev.procgroup.sidecar;

import java.util.ArrayList;
import java.util.List;

/** Timers driven by hand: {@link #advance} runs what is due. */
final class FakeTimers implements Timers {
  private record Task(long id, long due, Runnable action) {}

  private final List<Task> tasks = new ArrayList<>();
  private long now;
  private long nextId;

  @Override public long set(long delayMs, Runnable action) {
    Task t = new Task(++nextId, now + delayMs, action);
    tasks.add(t);
    return t.id;
  }

  @Override public void cancel(long id) {
    tasks.removeIf(t -> t.id == id);
  }

  void advance(long ms) {
    now += ms;
    List<Task> due = new ArrayList<>();
    for (Task t : tasks) if (t.due <= now) due.add(t);
    tasks.removeAll(due);
    due.forEach(t -> t.action.run());
  }

  int pending() {
    return tasks.size();
  }
}
