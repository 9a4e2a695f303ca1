package dev.ami.bus;

/**
 * The trainer node's answer to a {@link CheckpointPartRequest}: where its part went, or why it failed.
 *
 * @param name the part's directory name, which the agent part takes too; null when failed or skipped
 * @param path the part's directory on the trainer node; null when failed or skipped
 * @param manifestSha256 the SHA-256 of the part's {@code manifest.json}, recorded in the agent part
 * @param trainerPauseMs how long the training thread stopped to hand over its state
 * @param writeMs serialising and writing, on the trainer node's checkpoint thread
 * @param node the trainer node's id
 * @param run the trainer node's run folder name
 * @param error why it failed; null when written or skipped
 */
public record CheckpointPartReply(String id, String name, String path, long bytes, String manifestSha256,
                                  double trainerPauseMs, double writeMs, String node, String run, String error,
                                  long wallMillis) {
  public boolean ok() {
    return error == null;
  }

  public static CheckpointPartReply failed(String id, String node, String run, String error) {
    return new CheckpointPartReply(id, null, null, 0, null, Double.NaN, Double.NaN, node, run, error,
        System.currentTimeMillis());
  }
}
