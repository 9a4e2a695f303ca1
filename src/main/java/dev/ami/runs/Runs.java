package dev.ami.runs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** The run folders under {@code system.runs_dir}. */
public final class Runs {
  private Runs() {
  }

  /** Every run folder under {@code runsDir} (none when it does not exist), in name order. */
  public static List<RunFolder> all(Path runsDir) {
    if (!Files.isDirectory(runsDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(runsDir)) {
      return s.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."))
          .filter(p -> Files.isDirectory(p.resolve("states")) || Files.isRegularFile(p.resolve(RunFolder.CONFIG_FILE)))
          .sorted().map(RunFolder::new).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + runsDir, e);
    }
  }

  /** The training runs: every run whose {@code config.yaml} does not say {@code mode: eval}. */
  public static List<RunFolder> training(Path runsDir) {
    return all(runsDir).stream().filter(r -> !"eval".equals(mode(r))).toList();
  }

  /** The {@code mode} a run's config.yaml names; null when it has none or cannot be read. */
  public static String mode(RunFolder run) {
    if (!Files.isRegularFile(run.config())) {
      return null;
    }
    try (InputStream in = Files.newInputStream(run.config())) {
      Object doc = new Yaml(new LoaderOptions()).load(in);
      return doc instanceof Map<?, ?> m && m.get("mode") instanceof String s ? s : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The run a checkpoint belongs to ({@code <run>/states/<checkpoint>}), or null when it lies elsewhere. */
  public static RunFolder of(Path checkpoint) {
    Path states = checkpoint.toAbsolutePath().normalize().getParent();
    if (states == null || !states.getFileName().toString().equals("states") || states.getParent() == null) {
      return null;
    }
    return new RunFolder(states.getParent());
  }
}
