package dev.ami.env;

/**
 * One observation: RGB float CHW in [0,1]. The array is owned by the frame and never written after the
 * frame is handed out, so it can travel to the trainer without a copy.
 *
 * @param sequence increasing number of the frame at its source; equal numbers mean a stale frame
 */
public record Frame(float[] chw, int height, int width, long sequence, long capturedNanos) {
}
