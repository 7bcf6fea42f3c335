import ArgumentParser
import ContinuoOffline

struct Keep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Keep a generated file you like: copy it into the keepers folder.",
        discussion: "Later, `continuo train --finetune --from MODEL --data keepers/` adapts a model to what you kept.")

    @Argument(help: "MIDI files to keep.") var files: [String]
    @Option(help: "Keepers folder.") var keepers = Keepers.defaultFolder

    func run() throws {
        for file in files {
            do {
                print("kept \(file) as \(try Keepers.keep(file, in: keepers))")
            } catch {
                throw CLIError(error)
            }
        }
    }
}
