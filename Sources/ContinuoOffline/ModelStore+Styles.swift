import ContinuoFiles

extension ModelStore {
    /// The `continuo.styles` metadata `train` records: "name=slot,...".
    public static func stylesMetadata(_ index: TokenIndex) -> String {
        index.styles.compactMap { style in style.slot.map { "\(style.name)=\($0)" } }.joined(separator: ",")
    }
}
