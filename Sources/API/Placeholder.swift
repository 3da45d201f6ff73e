import Engine
import Hummingbird
