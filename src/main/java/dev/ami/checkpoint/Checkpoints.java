package dev.ami.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The checkpoint directory: one {@code <UTC timestamp>.state} directory per checkpoint, written under a hidden
 * {@code .<name>.tmp} sibling first. Names sort by time (basic ISO 8601, no colons, so Windows takes them too).
 * One runtime per directory: the writer assumes it is alone.
 */
public final class Checkpoints {
  static final String SUFFIX = ".state";
  static final String TEMP_SUFFIX = ".tmp";
  private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  private Checkpoints() {
  }

  /** A name for a checkpoint made now that no existing checkpoint has. */
  static String newName(Path dir, Instant now) {
    String base = NAME.format(now);
    String name = base + SUFFIX;
    for (int i = 1; Files.exists(dir.resolve(name)) || Files.exists(temp(dir, name)); i++) {
      name = base + "-" + i + SUFFIX;
    }
    return name;
  }

  static Path temp(Path dir, String name) {
    return dir.resolve("." + name + TEMP_SUFFIX);
  }

  /** The finished checkpoints in {@code dir}, newest first (none when it does not exist). */
  public static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().endsWith(SUFFIX)
              && !p.getFileName().toString().startsWith("."))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** Deletes all but the newest {@code keep} checkpoints, and temporary directories a crash left behind. */
  static List<Path> prune(Path dir, int keep) throws IOException {
    List<Path> all = list(dir);
    List<Path> old = all.subList(Math.min(keep, all.size()), all.size());
    for (Path p : old) {
      deleteTree(p);
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".")
          && p.getFileName().toString().endsWith(SUFFIX + TEMP_SUFFIX)).toList()) {
        deleteTree(p);
      }
    }
    return List.copyOf(old);
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
