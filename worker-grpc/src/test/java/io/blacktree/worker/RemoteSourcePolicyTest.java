package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RemoteSourcePolicyTest {
  /** Names the tests use, resolved without DNS. */
  private static InetAddress[] resolve(String host) throws UnknownHostException {
    return switch (host) {
      case "registry.example.com" -> new InetAddress[] {InetAddress.getByName("93.184.216.34")};
      case "rebind.example.com" -> new InetAddress[] {InetAddress.getByName("93.184.216.34"),
          InetAddress.getByName("10.1.2.3")};
      case "imds.example.com" -> new InetAddress[] {InetAddress.getByName("169.254.169.254")};
      case "files.example.com" -> new InetAddress[] {InetAddress.getByName("93.184.216.35")};
      default -> {
        if (host.matches("[0-9.]+") || host.contains(":")) {
          yield new InetAddress[] {InetAddress.getByName(host)};
        }
        throw new UnknownHostException(host);
      }
    };
  }

  private static final RemoteSourcePolicy POLICY = new RemoteSourcePolicy(Set.of("10.0.0.9:5000"),
      Set.of("files.example.com", "169.254.169.254", "imds.example.com"), "127.0.0.1:5000",
      RemoteSourcePolicyTest::resolve);

  private static String refused(String dockerfile) {
    return refused(dockerfile, Map.of());
  }

  private static String refused(String dockerfile, Map<String, String> args) {
    return POLICY.refusal(dockerfile, args).orElseThrow(() -> new AssertionError("allowed: " + dockerfile));
  }

  private static void allowed(String dockerfile, Map<String, String> args) {
    assertThat(POLICY.refusal(dockerfile, args)).as(dockerfile).isEmpty();
  }

  private static void allowed(String dockerfile) {
    allowed(dockerfile, Map.of());
  }

  @Test
  void refusal_addUrl_refusedNamingTheLine() {
    assertThat(refused("FROM scratch\nCOPY a /a\nADD http://127.0.0.1:8080/x /x\n"))
        .startsWith("line 3: ADD http://127.0.0.1:8080/x /x: ").contains("--allowed-add-hosts");
    refused("FROM scratch\nADD https://github.com/acme/x.tgz /x\n");
    refused("FROM scratch\nADD git@github.com:acme/x.git /x\n");
    refused("FROM scratch\nADD --chown=1:1 [\"http://10.0.0.1/x\", \"/x\"]\n");
    refused("FROM scratch\nadd \\\n  http://10.0.0.1/x \\\n  /x\n");
    refused("FROM scratch\nONBUILD ADD http://10.0.0.1/x /x\n");
    assertThat(refused("FROM scratch\nADD file:///etc/passwd /x\n")).contains("never allowed");
  }

  @Test
  void refusal_addThroughVariables_refusedUnlessResolvedAndAllowed() {
    refused("FROM scratch\nARG SRC=http://127.0.0.1:1/a\nADD ${SRC} /a\n");
    refused("ARG SRC=http://127.0.0.1:1/a\nFROM scratch\nARG SRC\nADD $SRC /a\n");
    refused("FROM scratch\nARG SRC=./local\nADD $SRC /a\n", Map.of("SRC", "http://127.0.0.1:1/b"));
    refused("FROM scratch\nENV SRC=http://127.0.0.1:1/c\nADD ${SRC:-x} /a\n");
    assertThat(refused("FROM base\nADD $FROM_BASE_IMAGE_ENV /a\n")).contains("cannot resolve exactly");
    refused("FROM scratch\nARG SRC=\"http://10.0.0.1/x y\"\nADD $SRC /a\n");
    refused("FROM scratch\nARG SRC=x\nADD ${SRC/x/http:\\/\\/10.0.0.1} /a\n");
    allowed("FROM scratch\nARG SRC=./local\nADD ${SRC} /a\n");
    allowed("FROM scratch\nARG SRC\nADD $SRC /a\n", Map.of("SRC", "http://files.example.com/a"));
  }

  @Test
  void refusal_addFromListedHost_allowedExceptInstanceMetadata() {
    allowed("FROM scratch\nADD https://files.example.com/x.tgz /x\nADD local.txt /y\nCOPY b /b\n");
    assertThat(refused("FROM scratch\nADD http://169.254.169.254/latest/meta-data/ /x\n")).contains("metadata");
    assertThat(refused("FROM scratch\nADD http://imds.example.com/latest/ /x\n")).contains("metadata");
    assertThat(refused("FROM scratch\nADD http://[fd00:ec2::254]/latest/ /x\n")).contains("metadata");
  }

  @Test
  void refusal_internalRegistries_refusedUnlessPushRegistryOrListed() {
    assertThat(refused("FROM 127.0.0.2:5000/x:1\n")).startsWith("line 1: FROM 127.0.0.2:5000/x:1: ")
        .contains("--allowed-base-registries");
    refused("FROM localhost:5000/x\n");
    refused("FROM 10.0.0.9:5001/x\n");
    refused("FROM [::1]:5000/x\n");
    refused("FROM rebind.example.com/x\n");
    assertThat(refused("FROM nowhere.invalid/x\n")).contains("does not resolve");
    refused("FROM scratch\nCOPY --from=192.168.1.5:5000/tools:1 /bin/t /t\n");
    refused("FROM scratch\nRUN --mount=type=bind,from=172.16.0.1/x,target=/m true\n");
    refused("# syntax=127.0.0.1:6000/frontend\nFROM scratch\n");
    refused("ARG REG=127.0.0.2:5000\nFROM ${REG}/x\n");
    refused("FROM $UNDEFINED/x\n");
    allowed("FROM 127.0.0.1:5000/blacktree/base:1\n");
    allowed("FROM 10.0.0.9:5000/x\n");
    allowed("FROM registry.example.com/team/x:1\nFROM alpine:3\nFROM library/alpine@sha256:" + "a".repeat(64) + "\n");
  }

  @Test
  void refusal_stageNamesAndIndexes_areNotImages() {
    allowed("FROM scratch AS build\nCOPY a /a\nFROM build\nCOPY --from=build /a /b\nCOPY --from=0 /a /c\n"
        + "RUN --mount=type=cache,target=/c --mount=from=BUILD,target=/m true\n");
    allowed("ARG BASE=scratch\nFROM ${BASE}\n");
  }

  @Test
  void internal_addressRanges() throws Exception {
    for (String a : new String[] {"127.0.0.1", "10.1.1.1", "172.31.0.1", "192.168.0.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1"}) {
      assertThat(RemoteSourcePolicy.internal(InetAddress.getByName(a))).as(a).isTrue();
    }
    for (String a : new String[] {"93.184.216.34", "8.8.8.8", "2606:4700::1111"}) {
      assertThat(RemoteSourcePolicy.internal(InetAddress.getByName(a))).as(a).isFalse();
    }
  }
}
