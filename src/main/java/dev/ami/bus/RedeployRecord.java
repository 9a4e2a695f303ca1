package dev.ami.bus;

import java.util.List;

/**
 * One redeploy, done or failed, for the log, the console and the benchmark.
 *
 * @param target agent, trainer or all
 * @param buildMs building (and warming) the new verticles while the old ones kept running
 * @param handoverMs from the new agent being ready to its first tick (NaN without an agent)
 * @param missedTicks deadlines the agent missed from the request to its successor's first tick (-1 without one)
 * @param deadlineGapMs the successor's first deadline minus the predecessor's last (one period when nothing was missed)
 * @param trainerGapMs how long no trainer trained (NaN without a trainer)
 * @param error why it failed; null when done
 */
public record RedeployRecord(String target, String modelKind, double buildMs, double handoverMs, long missedTicks,
                             double deadlineGapMs, double trainerGapMs, List<String> warnings, String error,
                             long wallMillis) {
  public boolean ok() {
    return error == null;
  }
}
