"""The widgets the screens are built of, one per module, each with its structural CSS
(``DEFAULT_CSS``: sizes, padding, alignment); colours and the look of a screen are in
``screens/facilitator.tcss``, which selects them by type and class."""

from screens.components.bigtext import BigText
from screens.components.board import Board
from screens.components.card_grid import Card, CardGrid, CardLook
from screens.components.clock_line import ClockLine
from screens.components.countdown import Countdown
from screens.components.head_bar import HeadBar
from screens.components.join_box import JoinBox
from screens.components.key_footer import KeyFooter
from screens.components.meeting_bar import MeetingBar
from screens.components.qrcode import QRCode
from screens.components.question_list import QuestionList
from screens.components.turn_line import TurnLine
from screens.components.warning_head import WarningHead

__all__ = [
    "BigText",
    "Board",
    "Card",
    "CardGrid",
    "CardLook",
    "ClockLine",
    "Countdown",
    "HeadBar",
    "JoinBox",
    "KeyFooter",
    "MeetingBar",
    "QRCode",
    "QuestionList",
    "TurnLine",
    "WarningHead",
]
