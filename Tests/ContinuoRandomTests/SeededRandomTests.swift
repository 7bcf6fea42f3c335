import Testing
@testable import ContinuoRandom

@Suite struct SeededRandomTests {
    /// Outputs of the reference C implementations (splitmix64.c, xoshiro256starstar.c), so a
    /// change to either algorithm, or to how one seeds the other, shows up here.
    @Test func matchesTheReferenceAlgorithms() {
        var seeder = SplitMix64(seed: 0)
        #expect((0..<4).map { _ in seeder.next() } == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC])
        var generator = SeededRandom(seed: 42)
        #expect(generator.next() == 0x1578_0b2e_0c2e_c716)
        #expect(generator.next() == 0x6104_d986_6d11_3a7e)
        #expect(generator.next() == 0xae17_5332_39e4_99a1)
    }

    @Test func unitFloatsStayInTheUnitInterval() {
        var generator = SeededRandom(seed: 42)
        for _ in 0..<10_000 {
            let u = generator.nextUnitFloat()
            #expect(u >= 0 && u < 1)
            let f = generator.nextFloat(in: -0.5, 0.5)
            #expect(f >= -0.5 && f < 0.5)
        }
    }

    /// What a checkpoint stores resumes the stream exactly where it stopped.
    @Test func stateResumesTheStream() {
        var original = SeededRandom(seed: 7)
        for _ in 0..<100 { _ = original.next() }
        var resumed = SeededRandom(state: original.state)!
        #expect((0..<100).map { _ in original.next() } == (0..<100).map { _ in resumed.next() })
        #expect(SeededRandom(state: [0, 0, 0, 0]) == nil)
        #expect(SeededRandom(state: [1, 2, 3]) == nil)
    }

    /// Words lent out come back as the new state, as when a C kernel advances the generator.
    @Test func lentWordsBecomeTheState() {
        var generator = SeededRandom(seed: 3)
        let before = generator.state
        let seen = generator.withStateWords { words in
            let copy = (0..<4).map { words[$0] }
            words[0] = 1; words[1] = 2; words[2] = 3; words[3] = 4
            return copy
        }
        #expect(seen == before)
        #expect(generator.state == [1, 2, 3, 4])
    }
}
