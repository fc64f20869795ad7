package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The repository's design pages exist where code cites them, and their links resolve inside the clone. */
class DocsReferenceTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern DOCS_CITATION = Pattern.compile("docs/([A-Za-z0-9_-]+\\.md)");
  private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
  private static final Pattern OUTSIDE = Pattern.compile("DESIGN\\.md|INTEGRATION-NOTES|\\.\\./shared");

  @Test
  void sources_citeOnlyDocsPagesThatExist_andNothingOutsideTheRepository() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path file : sources()) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      Matcher m = DOCS_CITATION.matcher(text);
      while (m.find()) {
        if (!Files.isRegularFile(ROOT.resolve("docs").resolve(m.group(1)))) {
          problems.add(ROOT.relativize(file) + " cites missing docs/" + m.group(1));
        }
      }
      if (OUTSIDE.matcher(text).find()) {
        problems.add(ROOT.relativize(file) + " cites a design file outside the repository");
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void docs_everyRelativeLinkResolves() throws IOException {
    List<String> problems = new ArrayList<>();
    List<Path> pages;
    try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
      pages = s.filter(p -> p.toString().endsWith(".md")).toList();
    }
    assertThat(pages).extracting(p -> p.getFileName().toString())
        .contains("README.md", "architecture.md", "request.md", "workflow.md", "errors.md", "queues.md", "worker.md");
    for (Path page : pages) {
      Matcher m = MARKDOWN_LINK.matcher(Files.readString(page, StandardCharsets.UTF_8));
      while (m.find()) {
        String target = m.group(1);
        if (!target.contains("://") && !Files.exists(page.getParent().resolve(target))) {
          problems.add(page.getFileName() + " links to missing " + target);
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  private static List<Path> sources() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.filter(Files::isDirectory).toList()) {
        Path src = module.resolve("src");
        if (!Files.isDirectory(src)) {
          continue;
        }
        try (Stream<Path> files = Files.walk(src)) {
          files.filter(p -> p.toString().endsWith(".java") && !p.getFileName().toString().equals("DocsReferenceTest.java"))
              .forEach(out::add);
        }
      }
    }
    out.add(ROOT.resolve("proto/worker.proto"));
    assertThat(out).hasSizeGreaterThan(100);
    return out;
  }
}
