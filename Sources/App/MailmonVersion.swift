/// The release this build is (`mailmon --version`).
public enum MailmonVersion {
    public static let current = "0.10.0"
}
