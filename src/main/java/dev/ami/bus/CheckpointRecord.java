package dev.ami.bus;

/**
 * One checkpoint, written or failed, for the log, the console and the benchmark.
 *
 * @param path the checkpoint's directory; null when it failed
 * @param totalMs from the request to the rename
 * @param trainerPauseMs how long the training thread stopped to hand over its state
 * @param writeMs serialising and writing, on the checkpoint's own thread
 * @param error why it failed; null when written
 */
public record CheckpointRecord(String reason, String path, long bytes, double totalMs, double trainerPauseMs,
                               double writeMs, String error, long wallMillis) {
  public boolean ok() {
    return error == null;
  }
}
