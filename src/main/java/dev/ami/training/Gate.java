package dev.ami.training;

/** When a trainer may start a run: its buffer holds {@code minBuffer} and {@code minNew} arrived since the last. */
final class Gate {
  private final int minBuffer;
  private final int minNew;
  private long addedAtLastRun;

  Gate(int minBuffer, int minNew) {
    this.minBuffer = minBuffer;
    this.minNew = minNew;
  }

  boolean open(int size, long added, boolean ignoreNew) {
    return size >= minBuffer && (ignoreNew || added - addedAtLastRun >= minNew);
  }

  void runStarted(long added) {
    addedAtLastRun = added;
  }

  /** The buffer's {@code added} count when the last run began: a checkpoint keeps it. */
  long mark() {
    return addedAtLastRun;
  }
}
