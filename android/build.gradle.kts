// Android Gradle Plugin 8.9.0 (compileSdk/targetSdk 35, Gradle 8.11.1+, JDK 17) and Kotlin 2.1.10;
// the wrapper (gradlew, gradle/wrapper) pins Gradle 8.13 with its checksum.
plugins {
    id("com.android.application") version "8.9.0" apply false
    id("org.jetbrains.kotlin.android") version "2.1.10" apply false
}
