package dev.ami.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ManifestVersionTest {

  @Test
  @DisplayName("run from classes (no manifest), --version says dev and exits 0")
  void devFromClasses() {
    assertThat(new ManifestVersion().getVersion()).containsExactly("ami-runtime dev");
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.execute("--version");
    } finally {
      System.setOut(original);
    }
    assertThat(code).isZero();
    assertThat(captured.toString(StandardCharsets.UTF_8).strip()).isEqualTo("ami-runtime dev");
  }

  @Test
  @DisplayName("a package with an Implementation-Version reports it")
  void fromManifest() {
    // picocli's jar has the manifest entry that the shade plugin writes into ours
    Package withVersion = picocli.CommandLine.class.getPackage();
    assertThat(withVersion.getImplementationVersion()).isEqualTo("4.7.7");
    assertThat(ManifestVersion.version(withVersion)).isEqualTo("4.7.7");
    assertThat(ManifestVersion.version(null)).isEqualTo("dev");
  }

  @Test
  @DisplayName("the shaded jar's manifest gets the project version")
  void pomWritesTheVersion() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    assertThat(pom).contains("ManifestResourceTransformer")
        .contains("<Implementation-Version>${project.version}</Implementation-Version>");
  }
}
