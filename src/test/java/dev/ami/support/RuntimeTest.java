package dev.ami.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class (or one test) that boots the whole runtime, in this JVM ({@link TestRuntime}) or in a child
 * one ({@link ChildJvm}): the slow group, tagged {@code runtime}. {@code mvn test -Dgroups=runtime} runs only these,
 * {@code mvn test -DexcludedGroups=runtime} everything else.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag("runtime")
public @interface RuntimeTest {
}
