package dev.ami.runs;

import io.vertx.core.shareddata.Shareable;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * One run's folder, {@code <system.runs_dir>/<UTC yyyyMMdd-HHmmss>[-NAME][-2]/}: its resolved {@code config.yaml},
 * {@code ami.log}, TensorBoard's {@code tb/}, the checkpoints in {@code states/} and {@code recordings/}. Every
 * run of {@code run} writes one; measurements ({@code bench}, {@code bench-explore}, {@code soak}) write none.
 * Immutable; the runtime puts it in the local map {@code ami.app} under {@code Addresses.RUN_FOLDER_KEY}
 * for the verticles.
 */
public record RunFolder(Path dir) implements Shareable {
  public static final String CONFIG_FILE = "config.yaml";
  public static final String LOG_FILE = "ami.log";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public RunFolder {
    dir = dir.toAbsolutePath().normalize();
  }

  /**
   * Creates a new run's folder under {@code runsDir} (made if missing) with its sub-folders; a folder of that
   * second and name that exists already gets {@code -2}, {@code -3}, ... Never reuses a folder.
   *
   * @param name from {@code --name}, or null; letters, digits, {@code . _ -}, at most 64
   * @throws IllegalArgumentException when the name is not allowed
   */
  public static RunFolder create(Path runsDir, String name, Instant now) throws IOException {
    if (name != null && !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("run name '" + name + "': use letters, digits, '.', '_' and '-' (at most 64,"
          + " not starting with '.' or '-')");
    }
    Files.createDirectories(runsDir);
    String base = STAMP.format(now) + (name == null ? "" : "-" + name);
    for (int i = 1; ; i++) {
      Path dir = runsDir.resolve(i == 1 ? base : base + "-" + i);
      try {
        Files.createDirectory(dir); // atomic: two runs starting in the same second get different folders
      } catch (FileAlreadyExistsException taken) {
        continue;
      }
      RunFolder run = new RunFolder(dir);
      Files.createDirectories(run.states());
      Files.createDirectories(run.tensorboard());
      return run;
    }
  }

  /** The folder's name: its UTC start and its name. */
  public String id() {
    return dir.getFileName().toString();
  }

  public Path config() {
    return dir.resolve(CONFIG_FILE);
  }

  public Path log() {
    return dir.resolve(LOG_FILE);
  }

  /** This run's checkpoints. */
  public Path states() {
    return dir.resolve("states");
  }

  /** TensorBoard's event files. */
  public Path tensorboard() {
    return dir.resolve("tb");
  }

  /** Video segments and their JSONL (made when recording starts). */
  public Path recordings() {
    return dir.resolve("recordings");
  }
}
