package io.blacktree.worker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * Commits written straight into a (bare) repository with JGit's object inserter, from a map of paths, including
 * trees git itself would never make ({@link #rawTree}).
 */
final class Commits {
  /** An executable file's content. */
  record Exec(String content) {}

  /** A symlink's target. */
  record Link(String target) {}

  /** A tree entry written as is. */
  record Raw(String name, FileMode mode, ObjectId id) {}

  private final Repository repo;

  Commits(Repository repo) {
    this.repo = repo;
  }

  /** A commit of {@code files}: path to content (a String, {@link Exec} or {@link Link}). */
  ObjectId commit(Map<String, Object> files) throws Exception {
    return commit(tree(files));
  }

  /** A commit of the tree {@code treeId}. */
  ObjectId commit(ObjectId treeId) throws Exception {
    CommitBuilder c = new CommitBuilder();
    c.setTreeId(treeId);
    PersonIdent who = new PersonIdent("Blacktree Test", "test@blacktree.invalid");
    c.setAuthor(who);
    c.setCommitter(who);
    c.setMessage("test");
    try (ObjectInserter ins = repo.newObjectInserter()) {
      ObjectId id = ins.insert(c);
      ins.flush();
      return id;
    }
  }

  /** The tree of {@code files}, nested by path. */
  ObjectId tree(Map<String, Object> files) throws Exception {
    Map<String, Map<String, Object>> subtrees = new LinkedHashMap<>();
    List<Raw> entries = new ArrayList<>();
    for (var e : files.entrySet()) {
      int slash = e.getKey().indexOf('/');
      if (slash >= 0) {
        subtrees.computeIfAbsent(e.getKey().substring(0, slash), k -> new LinkedHashMap<>())
            .put(e.getKey().substring(slash + 1), e.getValue());
      } else if (e.getValue() instanceof Exec x) {
        entries.add(new Raw(e.getKey(), FileMode.EXECUTABLE_FILE, blob(x.content())));
      } else if (e.getValue() instanceof Link l) {
        entries.add(new Raw(e.getKey(), FileMode.SYMLINK, blob(l.target())));
      } else {
        entries.add(new Raw(e.getKey(), FileMode.REGULAR_FILE, blob((String) e.getValue())));
      }
    }
    for (var sub : subtrees.entrySet()) {
      entries.add(new Raw(sub.getKey(), FileMode.TREE, tree(sub.getValue())));
    }
    entries.sort(Comparator.comparing(r -> r.name() + (r.mode() == FileMode.TREE ? "/" : "")));
    return rawTree(entries);
  }

  /** A tree of exactly {@code entries}, in the order given. */
  ObjectId rawTree(List<Raw> entries) throws Exception {
    TreeFormatter f = new TreeFormatter();
    entries.forEach(r -> f.append(r.name(), r.mode(), r.id()));
    try (ObjectInserter ins = repo.newObjectInserter()) {
      ObjectId id = ins.insert(f);
      ins.flush();
      return id;
    }
  }

  /** A blob of {@code content}. */
  ObjectId blob(String content) throws Exception {
    try (ObjectInserter ins = repo.newObjectInserter()) {
      ObjectId id = ins.insert(Constants.OBJ_BLOB, content.getBytes(StandardCharsets.UTF_8));
      ins.flush();
      return id;
    }
  }
}
