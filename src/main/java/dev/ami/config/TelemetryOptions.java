package dev.ami.config;

/**
 * What the runtime reports and how often ({@code telemetry.*}).
 *
 * @param frameHz frames a second to the console; 0 = none
 * @param logEveryS seconds between status lines; 0 = never
 * @param tbImageEveryS seconds between TensorBoard images; 0 = none
 */
public record TelemetryOptions(double frameHz, int logEveryS, boolean tensorboard, int tbEveryS, int tbImageEveryS) {
  public static TelemetryOptions from(AmiConfig c) {
    return new TelemetryOptions(c.getDouble("telemetry.frame_hz"), c.getInt("telemetry.log_every_s"),
        c.getBool("telemetry.tensorboard"), c.getInt("telemetry.tb_every_s"), c.getInt("telemetry.tb_image_every_s"));
  }
}
