// Ballcam Android shell. The Rust library is built by ../build-rust.sh (cargo-ndk, profile
// `mobile`) into build/rustJniLibs, and the Kotlin bindings are generated from it by uniffi-bindgen
// into build/generated/uniffi (never committed). Both run before preBuild.
import org.gradle.internal.os.OperatingSystem

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

val workspaceDir: File = rootProject.projectDir.parentFile
val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")
val uniffiKotlin = layout.buildDirectory.dir("generated/uniffi/kotlin")

android {
    namespace = "app.ballcam"
    compileSdk = 34
    ndkVersion = "26.3.11579264"

    defaultConfig {
        applicationId = "app.ballcam"
        minSdk = 26
        targetSdk = 34
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }

    buildTypes {
        release {
            isMinifyEnabled = false
            signingConfig = signingConfigs.getByName("debug")
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }

    sourceSets["main"].apply {
        java.srcDirs("src/main/kotlin", "src/pure/kotlin", uniffiKotlin)
        jniLibs.srcDirs(rustJniLibs)
    }
}

/** Builds libballcam_ffi.so for every ABI (cargo-ndk, profile `mobile`). */
val buildRust by tasks.registering(Exec::class) {
    group = "ballcam"
    description = "Builds the Rust FFI library for the Android ABIs"
    workingDir = rootProject.projectDir
    environment("BALLCAM_JNILIBS", rustJniLibs.get().asFile.absolutePath)
    commandLine("bash", "build-rust.sh")
    inputs.files(fileTree(workspaceDir) {
        include("core/src/**", "bindings/src/**", "models/ballnet.onnx", "**/Cargo.toml", "Cargo.lock")
        exclude("android/**", "ios/**", "target/**")
    })
    outputs.dir(rustJniLibs)
}

/**
 * Generates the Kotlin bindings from the arm64 library in cargo's target directory (library mode
 * reads uniffi's metadata from its symbols; the copies in jniLibs may be stripped by cargo-ndk).
 */
val generateBindings by tasks.registering(Exec::class) {
    group = "ballcam"
    description = "Generates the uniffi Kotlin bindings into build/generated/uniffi"
    dependsOn(buildRust)
    workingDir = workspaceDir
    val targetDir = System.getenv("CARGO_TARGET_DIR")?.let { File(it) } ?: File(workspaceDir, "target")
    val lib = File(targetDir, "aarch64-linux-android/mobile/libballcam_ffi.so")
    val cargo = if (OperatingSystem.current().isWindows) "cargo.exe" else "cargo"
    commandLine(
        cargo, "run", "--release", "-p", "uniffi-bindgen", "--",
        "generate", "--library", lib.absolutePath, "--language", "kotlin",
        "--no-format", "--out-dir", uniffiKotlin.get().asFile.absolutePath,
    )
    inputs.dir(rustJniLibs)
    outputs.dir(uniffiKotlin)
}

tasks.named("preBuild") { dependsOn(generateBindings) }

dependencies {
    val camerax = "1.3.4"
    implementation("androidx.camera:camera-core:$camerax")
    implementation("androidx.camera:camera-camera2:$camerax")
    implementation("androidx.camera:camera-lifecycle:$camerax")
    implementation("androidx.camera:camera-view:$camerax")
    implementation("androidx.appcompat:appcompat:1.7.0")
    implementation("androidx.activity:activity-ktx:1.9.2")
    implementation("androidx.core:core-ktx:1.13.1")
    // uniffi's Kotlin bindings call the library through JNA.
    implementation("net.java.dev.jna:jna:5.14.0@aar")
}
