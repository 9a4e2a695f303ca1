package dev.ami.config;

/** How the run's ami.log rolls over and how much of it is kept ({@code log.*}). */
public record LogOptions(int maxFileMb, int totalMb, int maxDays) {
  public static LogOptions from(AmiConfig c) {
    return new LogOptions(c.getInt("log.max_file_mb"), c.getInt("log.total_mb"), c.getInt("log.max_days"));
  }
}
