package dev.ami.bus;

/** The frame (RGB float CHW in [0,1], never written after sending) the agent acted on, and the action index. */
public record ObservationRecord(long tick, float[] chw, int height, int width, int action, long wallMillis) {
}
