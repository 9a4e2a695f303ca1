package dev.ami.runs;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import dev.ami.config.AmiConfig;
import dev.ami.config.LogOptions;
import org.slf4j.LoggerFactory;

/**
 * The run's {@code ami.log}: Logback's rolling file appender on the root logger beside stderr, with ISO-8601 UTC
 * dates. It rolls at midnight UTC and at {@code log.max_file_mb} into {@code ami.<date>.<n>.log}, keeps
 * {@code log.max_days} days and {@code log.total_mb} in all.
 */
public final class RunLog {
  static final String APPENDER = "RUN_FILE";
  /** Dates as ISO 8601 in UTC, so lines from a run of days sort and compare across machines. */
  static final String PATTERN = "%d{\"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'\",UTC} %-5level [%thread] %logger{20} - %msg%n";

  private RunLog() {
  }

  /** Starts writing the log into {@code run}'s folder (a second call for another run replaces the first). */
  public static void attach(RunFolder run, AmiConfig config) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J binding: the user chose their own logging
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    detach();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
    file.setContext(context);
    file.setName(APPENDER);
    file.setFile(run.log().toString());
    file.setEncoder(encoder);
    SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
    policy.setContext(context);
    policy.setParent(file);
    policy.setFileNamePattern(run.dir().resolve("ami.%d{yyyy-MM-dd,UTC}.%i.log").toString());
    LogOptions log = LogOptions.from(config);
    policy.setMaxFileSize(FileSize.valueOf(log.maxFileMb() + "MB"));
    policy.setTotalSizeCap(FileSize.valueOf(log.totalMb() + "MB"));
    policy.setMaxHistory(log.maxDays());
    policy.start();
    file.setRollingPolicy(policy);
    file.start();
    root.addAppender(file);
  }

  /** Stops writing the run's log file (flushes and closes it). */
  public static void detach() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      var old = root.getAppender(APPENDER);
      if (old != null) {
        root.detachAppender(old);
        old.stop();
      }
    }
  }
}
