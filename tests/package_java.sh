#!/usr/bin/env bash
# package_java.sh BUILD_DIR -- the Java packaging proof (suite package_java, issue 14):
#   1. `make install` into a temporary DESTDIR installs libpager_jni.so, self-contained (no
#      libpager.so needed, no RUNPATH, only Java_* exported);
#   2. `mvn install` puts dev.libpager:libpager:<version> (jar + sources + javadoc, the pom
#      with Maven Central's metadata) into a TEMPORARY local repository seeded from ~/.m2;
#   3. a fresh consumer project in another temp dir, written as bindings/README.md says,
#      builds against that repository and runs with libpager not installed and
#      LD_LIBRARY_PATH unset: the JNI library comes out of the jar;
#   4. the same program with -Ddev.libpager.library.path=<installed libpager_jni.so> loads the
#      installed one instead.
# Prints one line per check and "#result <passed> <failed>" (tests/run_cmd.sh counts it).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
work=$(mktemp -d /tmp/pager-package-java.XXXXXX)
trap 'rm -rf "$work"' EXIT
log="$work/log"
passed=0 failed=0
check() { # NAME COMMAND...: one counted check; its output goes to the log (shown on failure)
  local name=$1; shift
  if "$@" > "$log" 2>&1; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; tail -n 30 "$log" | sed 's/^/     /'
  fi
}
mvn_q() { mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$work/m2" "$@"; }
version=$(make -C "$root" --no-print-directory -s print-VERSION)
dest="$work/dest"
jni="$dest/usr/lib/libpager_jni.so"

# 1. the installed JNI library
check "make install DESTDIR=<tmp> PREFIX=/usr installs lib/libpager_jni.so" \
  bash -c "make -C '$root' --no-print-directory -s install DESTDIR='$dest' PREFIX=/usr >/dev/null && test -f '$jni'"
check "libpager_jni.so needs no libpager.so and has no RUNPATH/RPATH" \
  bash -c "! ldd '$jni' | grep -q libpager && ! readelf -d '$jni' | grep -qE 'RUNPATH|RPATH'"
check "libpager_jni.so exports only Java_* symbols" \
  bash -c "n=\$(nm -D --defined-only '$jni' | awk '{print \$3}' | grep -v '^Java_' | grep -c .); [ \"\$n\" -eq 0 ]"

# 2. mvn install into a temporary repository (seeded from ~/.m2 to stay fast offline)
mkdir -p "$work/m2"
[[ -d $HOME/.m2/repository ]] && cp -r "$HOME/.m2/repository/." "$work/m2/"
check "pom version = library version $version" \
  grep -q "<version>$version</version>" "$root/bindings/java/pom.xml"
check "mvn install (jar, sources, javadoc with doclint) into a temporary repository" \
  bash -c "cd '$root/bindings/java' && mvn -B -q -Dstyle.color=never -Dmaven.repo.local='$work/m2' \
    -DskipTests install -Dpager.build='$build' -Dpager.maven.dir='$work/target'"
art="$work/m2/dev/libpager/libpager/$version"
check "the repository holds the jar, -sources.jar, -javadoc.jar and the pom" \
  bash -c "for f in libpager-$version.jar libpager-$version-sources.jar libpager-$version-javadoc.jar libpager-$version.pom; do test -s '$art'/\$f || { echo missing \$f; exit 1; }; done"
check "the jar carries dev/libpager/native/linux-x86_64/libpager_jni.so" \
  bash -c "jar tf '$art/libpager-$version.jar' | grep -qx 'dev/libpager/native/linux-x86_64/libpager_jni.so'"
check "the manifest names Automatic-Module-Name: dev.libpager" \
  bash -c "mkdir -p '$work/jar' && cd '$work/jar' && jar xf '$art/libpager-$version.jar' META-INF/MANIFEST.MF &&
    grep -q '^Automatic-Module-Name: dev.libpager' META-INF/MANIFEST.MF"
check "the pom has what Maven Central requires (name, description, url, licenses, developers, scm)" \
  bash -c "for t in name description url licenses developers scm; do grep -q \"<\$t>\" '$art/libpager-$version.pom' || { echo no \$t; exit 1; }; done"
check "every public type in the sources jar has javadoc stating its thread safety (PagerConstants: SWIG's)" \
  bash -c "mkdir -p '$work/src' && cd '$work/src' && jar xf '$art/libpager-$version-sources.jar' && bad=0 &&
    for f in \$(grep -rlE '^public (final |abstract )?(class|interface|enum) ' dev); do
      case \$f in */PagerConstants.java) continue ;; esac
      awk '/^public /{exit} {print}' \$f | grep -q 'Thread safety' || { echo \"no thread-safety javadoc: \$f\"; bad=1; }
    done; [ \$bad -eq 0 ]"
check "every function of pager.h has a row in bindings/README.md's C function -> Java table" \
  bash -c "missing=\$(grep -oE 'PAGER_API[^;(]*\\bpager_[a-z0-9_]+ *\\(' '$root/pager.h' | grep -oE 'pager_[a-z0-9_]+' |
    while read -r f; do grep -qF \"| \\\`\$f\\\` |\" '$root/bindings/README.md' || echo \$f; done);
    [ -z \"\$missing\" ] || { echo \"not in the Java table: \$missing\"; exit 1; }"

# 3. a fresh consumer project (bindings/README.md "Java": the dependency and the program)
app="$work/app"
mkdir -p "$app/src/main/java/example"
cat > "$app/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>consumer</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>dev.libpager</groupId>
      <artifactId>libpager</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
POM
cat > "$app/src/main/java/example/App.java" <<'JAVA'
package example;

import dev.libpager.*;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

public class App {
  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("consumer");
    try (Wal w = Wal.create(dir.resolve("db"), null)) {
      ByteBuffer page = ByteBuffer.allocateDirect(w.pageSize());
      page.put(0, (byte) 42);
      w.stagePage(1, page);
      w.commit();
      byte[] back = w.readPage(1);
      if (back[0] != 42) throw new AssertionError("read back " + back[0]);
    }
    try {
      Wal.open(dir.resolve("missing"), null);
    } catch (NotFoundException e) {
      System.out.println("NotFoundException " + e.code());
    }
    System.out.println("libpager " + LibPager.versionString() + " from " + LibPager.nativeLibrary());
  }
}
JAVA
check "the consumer builds against dev.libpager:libpager:$version" \
  bash -c "cd '$app' && mvn -B -q -Dstyle.color=never -Dmaven.repo.local='$work/m2' package \
    dependency:build-classpath -Dmdep.outputFile=cp.txt"
run_app() { (cd "$app" && env -u LD_LIBRARY_PATH java "$@" -cp "target/classes:$(cat cp.txt)" example.App); }
check "libpager is not installed on this machine (ldconfig knows no libpager)" \
  bash -c "! ldconfig -p | grep -q 'libpager\\.so'"
check "the consumer runs with LD_LIBRARY_PATH unset, the JNI library from the jar" \
  bash -c "$(declare -f run_app); app='$app'; out=\$(run_app) && echo \"\$out\" &&
    echo \"\$out\" | grep -qx 'NotFoundException NOT_FOUND' &&
    echo \"\$out\" | grep -qx 'libpager $version from jar:/dev/libpager/native/linux-x86_64/libpager_jni.so'"
check "-Ddev.libpager.library.path loads the installed libpager_jni.so instead" \
  bash -c "$(declare -f run_app); app='$app'; out=\$(run_app -Ddev.libpager.library.path='$jni') && echo \"\$out\" &&
    echo \"\$out\" | grep -qx 'libpager $version from $jni'"
check "System.loadLibrary fallback: -Djava.library.path=<installed libdir> with the jar's native hidden" \
  bash -c "$(declare -f run_app); app='$app'; out=\$(run_app -Djava.library.path='$dest/usr/lib' -Dos.arch=none) && echo \"\$out\" &&
    echo \"\$out\" | grep -qx 'libpager $version from java.library.path'"
check "make uninstall removes libpager_jni.so" \
  bash -c "make -C '$root' --no-print-directory -s uninstall DESTDIR='$dest' PREFIX=/usr >/dev/null && test ! -e '$jni'"
echo "#result $passed $failed"
[[ $failed -eq 0 ]]
