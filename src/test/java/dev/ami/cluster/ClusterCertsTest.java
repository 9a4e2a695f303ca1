package dev.ami.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("cluster-init: the cluster's CA and its nodes' certificates")
class ClusterCertsTest {

  @Test
  @DisplayName("a CA and a folder per node; each node's certificate names it (CN, SAN) and the CA signed it")
  void makesACaAndNodes(@TempDir Path dir) throws Exception {
    ClusterCerts.Outcome o = ClusterCerts.init(dir, List.of("agent", "trainer", "127.0.0.1"));
    assertThat(o.newCa()).isTrue();
    assertThat(o.created()).containsExactly("agent", "trainer", "127.0.0.1");
    X509Certificate ca = read(dir.resolve("ca.crt"));
    assertThat(ca.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
    for (String n : List.of("agent", "trainer", "127.0.0.1")) {
      X509Certificate node = read(dir.resolve(n).resolve("node.crt"));
      node.verify(ca.getPublicKey()); // throws unless the CA signed it
      assertThat(node.getSubjectX500Principal().getName()).isEqualTo("CN=" + n);
      assertThat(node.getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList())
          .containsExactly(n);
      assertThat(node.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
      assertThat(Files.readString(dir.resolve(n).resolve("node.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
      assertThat(Files.readAllBytes(dir.resolve(n).resolve("ca.crt"))).isEqualTo(Files.readAllBytes(dir.resolve(
          "ca.crt")));
    }
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("agent/node.key"))))
          .isEqualTo("rw-------");
    }
  }

  @Test
  @DisplayName("run again: the CA is reused to add a node, an existing node's folder is never overwritten")
  void addsNodesWithTheSameCa(@TempDir Path dir) throws Exception {
    ClusterCerts.init(dir, List.of("agent"));
    byte[] caBefore = Files.readAllBytes(dir.resolve("ca.crt"));
    byte[] agentKey = Files.readAllBytes(dir.resolve("agent/node.key"));
    ClusterCerts.Outcome again = ClusterCerts.init(dir, List.of("agent", "gpu-box"));
    assertThat(again.newCa()).isFalse();
    assertThat(again.created()).containsExactly("gpu-box");
    assertThat(again.kept()).containsExactly("agent");
    assertThat(Files.readAllBytes(dir.resolve("ca.crt"))).isEqualTo(caBefore);
    assertThat(Files.readAllBytes(dir.resolve("agent/node.key"))).isEqualTo(agentKey);
    read(dir.resolve("gpu-box/node.crt")).verify(read(dir.resolve("ca.crt")).getPublicKey());
  }

  @Test
  @DisplayName("a node name that is not a plain folder name is refused")
  void refusesPathNames(@TempDir Path dir) {
    for (String bad : List.of("../x", "a/b", "", ".hidden", "x y")) {
      assertThatThrownBy(() -> ClusterCerts.init(dir, List.of(bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
