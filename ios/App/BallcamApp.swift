import SwiftUI

@main
struct BallcamApp: App {
    var body: some Scene {
        WindowGroup {
            ContentView()
        }
    }
}
